package dev.oauthgw.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.http.BoundedHttpClient;
import dev.oauthgw.provider.ProviderException.Kind;
import dev.oauthgw.testing.MisbehavingUpstream;
import io.vertx.core.Vertx;

/**
 * The token client against a token endpoint that misbehaves for real (a socket server on loopback, no Quarkus): a
 * stall mid-answer, no headers, a crawl, an endless answer and a refused connection are each TRANSIENT with the bound
 * in the message, within the registration's bounds, never with a token in the message, and the next call goes
 * through at once. On the JDK client these calls hung until the upstream gave up (issue 18).
 */
class TokenClientBoundsTest {

    private static final Logger LOG = Logger.getLogger(TokenClientBoundsTest.class);
    private static final String SECRET = "bounds-client-secret-never-printed";
    private static final String REFRESH_TOKEN = "rt-presented-never-printed";
    private static final Duration SLACK = Duration.ofSeconds(3);
    private static final String GOOD_ANSWER = "{\"access_token\":\"at-new\",\"refresh_token\":\"rt-new\","
            + "\"token_type\":\"Bearer\",\"expires_in\":86400,\"scope\":\"Manage:Pax8Data\"}";

    private static Vertx vertx;
    private static TokenClient client;
    private MisbehavingUpstream upstream;
    private MisbehavingUpstream healthy;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        client = new TokenClient(new ObjectMapper(), Clock.systemUTC(), new BoundedHttpClient(vertx));
        MisbehavingUpstream.warmUp(200, GOOD_ANSWER, url -> client.refresh(provider(url), REFRESH_TOKEN));
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void start() throws Exception {
        upstream = new MisbehavingUpstream((s, in, out) -> { });
        healthy = new MisbehavingUpstream((s, in, out) -> { });
        healthy.behave(healthy.ok(200, "application/json", GOOD_ANSWER));
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
        healthy.close();
    }

    /** connect 1 s, headers 1 s, idle 500 ms, total 2 s, 64 KiB: the registration's settings, as configured. */
    private static RegisteredProvider provider(String tokenUrl) {
        return Registrations.registration("stub", "stub-client", SECRET, Map.of("token-url", tokenUrl,
                "revocation-url", tokenUrl, "connect-timeout", "PT1S", "headers-timeout", "PT1S", "idle-timeout",
                "PT0.5S", "request-timeout", "PT2S"), false);
    }

    private ProviderException refreshFails(Duration bound, String says) {
        RegisteredProvider p = provider(upstream.url("/oauth/token"));
        AtomicReference<String> rotated = new AtomicReference<>();
        long t0 = System.nanoTime();
        ProviderException e = assertTimeoutPreemptively(bound.plus(SLACK).plusSeconds(5), () -> assertThrows(
                ProviderException.class, () -> client.refresh(p, REFRESH_TOKEN, rotated::set)));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.infof("refresh failed after %d ms (bound %s): %s", took.toMillis(), bound, e.getMessage());
        assertEquals(Kind.TRANSIENT, e.kind(), e.getMessage());
        assertEquals(0, e.httpStatus());
        assertTrue(e.getMessage().startsWith("Token endpoint of 'stub' "), e.getMessage());
        assertTrue(e.getMessage().contains(says), e.getMessage());
        assertFalse(e.getMessage().contains(REFRESH_TOKEN) || e.getMessage().contains(SECRET), e.getMessage());
        assertEquals(null, rotated.get(), "no whole answer: nothing rotated");
        assertTrue(took.compareTo(bound.plus(SLACK)) < 0, "took " + took);
        assertTrue(took.compareTo(p.callBound().plus(SLACK)) < 0, "held longer than the registration's call bound");
        return e;
    }

    private void nextRefreshSucceedsAtOnce() {
        long t0 = System.nanoTime();
        TokenResponse t = client.refresh(provider(healthy.url("/oauth/token")), REFRESH_TOKEN);
        assertEquals("rt-new", t.refreshToken().orElseThrow());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "the next refresh took " + ms + " ms");
    }

    @Test
    void the_call_bound_is_the_total_deadline_and_a_grace() {
        RegisteredProvider p = provider(upstream.url("/oauth/token"));
        assertEquals(Duration.ofMillis(2500), p.callBound());
        assertEquals(Duration.ofMillis(10_500), Registrations.registration("pax8", "c", SECRET, Map.of()).callBound(),
                "defaults: request-timeout PT10S");
    }

    @Test
    void a_token_endpoint_that_stalls_mid_answer_is_transient_within_the_idle_deadline() throws Exception {
        upstream.behave(upstream.stallAfter("{\"access_token\":\"eyJ", 1024));
        refreshFails(Duration.ofMillis(500), "stalled mid-answer");
        nextRefreshSucceedsAtOnce();
    }

    @Test
    void a_token_endpoint_that_never_sends_headers_is_transient_within_the_headers_deadline() throws Exception {
        upstream.behave(upstream.noHeaders());
        refreshFails(Duration.ofSeconds(1), "headers deadline");
        nextRefreshSucceedsAtOnce();
    }

    @Test
    void a_token_endpoint_that_crawls_is_transient_within_the_total_deadline() throws Exception {
        upstream.behave(upstream.crawl(500, Duration.ofMillis(100)));
        refreshFails(Duration.ofSeconds(2), "total deadline");
        nextRefreshSucceedsAtOnce();
    }

    @Test
    void an_endless_token_answer_is_transient_at_the_size_cap() throws Exception {
        upstream.behave(upstream.flood());
        refreshFails(Duration.ofSeconds(2), "more than 65536 bytes");
        nextRefreshSucceedsAtOnce();
    }

    @Test
    void a_refused_connection_is_transient_at_once() throws Exception {
        int port = MisbehavingUpstream.refusedPort();
        RegisteredProvider p = provider("http://127.0.0.1:" + port + "/oauth/token");
        ProviderException e = assertThrows(ProviderException.class, () -> client.refresh(p, REFRESH_TOKEN));
        assertEquals(Kind.TRANSIENT, e.kind());
        assertTrue(e.getMessage().contains("could not be reached"), e.getMessage());
        nextRefreshSucceedsAtOnce();
    }

    @Test
    void a_revocation_endpoint_that_stalls_is_transient_too() throws Exception {
        upstream.behave(upstream.stallAfter("{", 100));
        RegisteredProvider p = provider(upstream.url("/oauth/revoke"));
        long t0 = System.nanoTime();
        ProviderException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(ProviderException.class, () -> client.revoke(p, "at-never-printed", "access_token")));
        assertEquals(Kind.TRANSIENT, e.kind());
        assertTrue(e.getMessage().startsWith("The revocation endpoint of 'stub' stalled mid-answer"), e.getMessage());
        assertFalse(e.getMessage().contains("at-never-printed"));
        assertTrue(System.nanoTime() - t0 < p.callBound().plus(SLACK).toNanos());
    }
}
