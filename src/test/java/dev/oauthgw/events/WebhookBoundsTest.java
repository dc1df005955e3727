package dev.oauthgw.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.http.BoundedHttpClient;
import dev.oauthgw.testing.MisbehavingUpstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/**
 * A webhook receiver that misbehaves for real (a socket server on loopback; no Quarkus, no database: only the POST):
 * a stall mid-answer, no headers or an endless answer is a failed attempt within the webhook's bounds, its error
 * naming the bound and never the URL (whose query may hold a receiver's token). Before, the sender waited for as
 * long as the receiver kept the connection open.
 */
class WebhookBoundsTest {

    private static final Logger LOG = Logger.getLogger(WebhookBoundsTest.class);
    private static Vertx vertx;
    private static BoundedHttpClient http;
    private MisbehavingUpstream receiver;

    @BeforeAll
    static void startVertx() throws Exception {
        vertx = Vertx.vertx();
        http = new BoundedHttpClient(vertx);
        MisbehavingUpstream.warmUp(204, "", url -> sender(url).send(WebhookEndpoint.from(config(url)).orElseThrow(),
                claim()));
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void start() throws Exception {
        receiver = new MisbehavingUpstream((s, in, out) -> { });
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
    }

    private static WebhookConfig config(String url) {
        Map<String, String> m = new HashMap<>();
        m.put("gateway.webhook.url", url + "?token=receiver-token-never-printed");
        m.put("gateway.webhook.secret", "webhook-bounds-test-secret");
        m.put("gateway.webhook.require-https", "false");
        m.put("gateway.webhook.connect-timeout", "PT1S");
        m.put("gateway.webhook.headers-timeout", "PT1S");
        m.put("gateway.webhook.idle-timeout", "PT0.5S");
        m.put("gateway.webhook.request-timeout", "PT2S");
        return WebhookConfigTest.config(m);
    }

    private static WebhookSender sender(String url) {
        return new WebhookSender(config(url), null, Clock.systemUTC(), new SimpleMeterRegistry(), http);
    }

    private static WebhookSender.Claim claim() {
        return new WebhookSender.Claim(UUID.randomUUID(), "REVOKED", "{\"type\":\"REVOKED\"}", 1);
    }

    private WebhookSender.Result attempt(String says, Duration bound) {
        String url = receiver.url("/hook");
        WebhookSender sender = sender(url);
        WebhookEndpoint endpoint = WebhookEndpoint.from(config(url)).orElseThrow();
        long t0 = System.nanoTime();
        WebhookSender.Result r = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> sender.send(endpoint, claim()));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.infof("webhook attempt failed after %d ms: %s", ms, r.error());
        assertFalse(r.ok());
        assertNull(r.status());
        assertTrue(r.error().contains(says), r.error());
        assertFalse(r.error().contains("receiver-token-never-printed") || r.error().contains("127.0.0.1"), r.error());
        assertTrue(ms < bound.plusSeconds(3).toMillis(), "took " + ms + " ms for a bound of " + bound);
        return r;
    }

    @Test
    void a_receiver_that_stalls_mid_answer_fails_the_attempt_on_the_idle_deadline() {
        receiver.behave(receiver.stallAfter("{\"ok\":", 100));
        assertEquals("the receiver stalled mid-answer: nothing arrived for PT0.5S (idle deadline); connection closed",
                attempt("idle deadline", Duration.ofMillis(500)).error());
    }

    @Test
    void a_receiver_that_never_answers_fails_the_attempt_on_the_headers_deadline() {
        receiver.behave(receiver.noHeaders());
        attempt("headers deadline", Duration.ofSeconds(1));
    }

    @Test
    void a_receiver_that_answers_without_end_fails_the_attempt_at_the_size_cap() {
        receiver.behave(receiver.flood());
        attempt("more than 16384 bytes", Duration.ofSeconds(2));
    }
}
