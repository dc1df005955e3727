package dev.oauthgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.http.OutboundFailure.Reason;
import dev.oauthgw.testing.MisbehavingUpstream;
import io.vertx.core.Vertx;

/**
 * The bounded client against real misbehaving upstreams on loopback (no Quarkus: a Vert.x of its own). Each failure
 * names its bound, comes within the bound (measured, with generous slack for a busy machine), closes the connection
 * (the upstream sees it closed) and leaves the caller free: the next call is answered at once.
 */
class BoundedHttpClientTest {

    private static final Logger LOG = Logger.getLogger(BoundedHttpClientTest.class);
    /** Slack over a bound for a loaded 2-core machine; the numbers measured are logged. */
    private static final Duration SLACK = Duration.ofSeconds(3);
    private static final HttpBounds BOUNDS = new HttpBounds(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofMillis(500), Duration.ofSeconds(2), 64 * 1024);

    private static Vertx vertx;
    private static BoundedHttpClient client;
    private MisbehavingUpstream upstream;
    private MisbehavingUpstream healthy;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        client = new BoundedHttpClient(vertx);
        MisbehavingUpstream.warmUp(200, "{}", url -> client.call(post(url), new HttpBounds(Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), 1024)));
    }

    @AfterAll
    static void stopVertx() throws Exception {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void start() throws IOException {
        upstream = new MisbehavingUpstream((s, in, out) -> { });
        healthy = new MisbehavingUpstream((s, in, out) -> { });
        healthy.behave(healthy.ok(200, "application/json", "{\"ok\":true}"));
    }

    @AfterEach
    void stop() throws IOException {
        upstream.close();
        healthy.close();
    }

    private static OutboundRequest post(String url) {
        return OutboundRequest.of("POST", URI.create(url), Map.of("Content-Type", "application/json"),
                "{\"grant_type\":\"refresh_token\"}".getBytes());
    }

    /** Calls, expects the failure, and returns it with how long it took. */
    private OutboundFailure failsWith(Reason reason, HttpBounds bounds, Duration bound) {
        long t0 = System.nanoTime();
        OutboundFailure f = assertTimeoutPreemptively(bound.plus(SLACK).plusSeconds(5),
                () -> assertThrows(OutboundFailure.class, () -> client.call(post(upstream.url("/token")), bounds)));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.infof("%s: failed after %d ms (bound %s): %s", reason, took.toMillis(), bound, f.getMessage());
        assertEquals(reason, f.reason(), f.getMessage());
        assertTrue(took.compareTo(bound.plus(SLACK)) < 0, "took " + took + " for a bound of " + bound);
        return f;
    }

    /** The caller is free: a healthy upstream answers the next call at once. */
    private void nextCallIsAnsweredAtOnce() throws Exception {
        long t0 = System.nanoTime();
        OutboundAnswer a = client.call(post(healthy.url("/token")), BOUNDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, a.status());
        assertEquals("{\"ok\":true}", a.text());
        assertTrue(ms < 1000, "the next call took " + ms + " ms");
    }

    private void upstreamSawTheConnectionClosed() throws InterruptedException {
        assertNotNull(upstream.awaitClosedByClient(Duration.ofSeconds(3)), "the connection was not closed");
    }

    @Test
    void a_healthy_answer_is_read_whole() throws Exception {
        nextCallIsAnsweredAtOnce();
    }

    @Test
    void a_stall_right_after_the_headers_fails_on_the_idle_deadline_and_closes_the_connection() throws Exception {
        upstream.behave(upstream.stallAfter("", 100));
        OutboundFailure f = failsWith(Reason.IDLE_TIMEOUT, BOUNDS, BOUNDS.idle());
        assertTrue(f.getMessage().contains("idle deadline"), f.getMessage());
        upstreamSawTheConnectionClosed();
        nextCallIsAnsweredAtOnce();
    }

    @Test
    void a_stall_mid_body_after_its_content_length_fails_on_the_idle_deadline() throws Exception {
        upstream.behave(upstream.stallAfter("{\"access_token\":\"eyJ", 1000));
        failsWith(Reason.IDLE_TIMEOUT, BOUNDS, BOUNDS.idle());
        upstreamSawTheConnectionClosed();
        nextCallIsAnsweredAtOnce();
    }

    @Test
    void a_crawl_that_keeps_the_idle_deadline_fails_on_the_total_deadline() throws Exception {
        upstream.behave(upstream.crawl(1000, Duration.ofMillis(100)));
        OutboundFailure f = failsWith(Reason.TOTAL_TIMEOUT, BOUNDS, BOUNDS.total());
        assertTrue(f.getMessage().contains("total deadline"), f.getMessage());
        upstreamSawTheConnectionClosed();
        nextCallIsAnsweredAtOnce();
    }

    @Test
    void an_endless_body_fails_at_the_size_cap_and_the_upstream_stops_writing() throws Exception {
        upstream.behave(upstream.flood());
        OutboundFailure f = failsWith(Reason.TOO_LARGE, BOUNDS, BOUNDS.total());
        assertTrue(f.getMessage().contains("65536 bytes"), f.getMessage());
        upstreamSawTheConnectionClosed();
        long written = upstream.flooded.get();
        LOG.infof("the flooding upstream wrote %d bytes before the connection was closed", written);
        assertTrue(written < 32L * 1024 * 1024, "written " + written + " bytes: the client kept reading");
        nextCallIsAnsweredAtOnce();
    }

    @Test
    void a_content_length_over_the_cap_fails_before_the_body_is_read() throws Exception {
        upstream.behave(upstream.stallAfter("", 10 * 1024 * 1024));
        failsWith(Reason.TOO_LARGE, BOUNDS, Duration.ofMillis(300));
        upstreamSawTheConnectionClosed();
    }

    @Test
    void headers_that_never_come_fail_on_the_headers_deadline() throws Exception {
        upstream.behave(upstream.noHeaders());
        OutboundFailure f = failsWith(Reason.HEADERS_TIMEOUT, BOUNDS, BOUNDS.headers());
        assertTrue(f.getMessage().contains("headers deadline"), f.getMessage());
        upstreamSawTheConnectionClosed();
        nextCallIsAnsweredAtOnce();
    }

    @Test
    void a_refused_connection_fails_at_once() throws Exception {
        int port = MisbehavingUpstream.refusedPort();
        long t0 = System.nanoTime();
        OutboundFailure f = assertThrows(OutboundFailure.class,
                () -> client.call(post("http://127.0.0.1:" + port + "/token"), BOUNDS));
        LOG.infof("refused: failed after %d ms: %s", (System.nanoTime() - t0) / 1_000_000, f.getMessage());
        assertEquals(Reason.CONNECT_FAILED, f.reason());
        assertTrue(f.getMessage().startsWith("could not be reached"), f.getMessage());
        nextCallIsAnsweredAtOnce();
    }

    @Test
    void stalled_calls_hold_no_thread_while_they_wait() throws Exception {
        upstream.behave(upstream.noHeaders());
        int before = Thread.activeCount();
        List<CompletableFuture<OutboundAnswer>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(client.send(post(upstream.url("/token")), BOUNDS).toCompletableFuture());
        }
        Thread.sleep(300);
        // the upstream's own threads (one a connection) are in the count: the client adds none of its own
        int during = Thread.activeCount() - before;
        for (CompletableFuture<OutboundAnswer> c : calls) {
            CompletionException e = assertThrows(CompletionException.class, () -> c.orTimeout(5, TimeUnit.SECONDS).join());
            assertEquals(Reason.HEADERS_TIMEOUT, ((OutboundFailure) e.getCause()).reason());
        }
        LOG.infof("40 calls in flight added %d threads, the upstream's 40 included", during);
        assertTrue(during <= 40 + 4, during + " threads more during 40 stalled calls");
        nextCallIsAnsweredAtOnce();
    }

    @Test
    void a_streamed_body_waits_for_a_slow_reader_without_tripping_the_idle_deadline() throws Exception {
        int size = 4 * 1024 * 1024;
        upstream.behave((s, in, out) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n").getBytes());
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < size / chunk.length; i++) {
                out.write(chunk);
            }
            out.flush();
        });
        HttpBounds bounds = new HttpBounds(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(500),
                Duration.ofSeconds(10), size);
        OutboundStream stream = client.open(OutboundRequest.of("GET", URI.create(upstream.url("/big")), Map.of(), null),
                bounds);
        assertEquals(200, stream.status());
        try (InputStream body = stream.body()) {
            byte[] buf = new byte[8192];
            long read = body.read(buf);
            Thread.sleep(1500); // three idle deadlines: the reader is slow, not the upstream
            int n;
            while ((n = body.read(buf)) >= 0) {
                read += n;
            }
            assertEquals(size, read);
        }
    }

    @Test
    void a_streamed_body_that_stalls_fails_the_read_on_the_idle_deadline() throws Exception {
        upstream.behave(upstream.stallAfter("{\"content\":[", 1000));
        OutboundStream stream = client.open(OutboundRequest.of("GET", URI.create(upstream.url("/api")), Map.of(), null),
                BOUNDS);
        long t0 = System.nanoTime();
        OutboundFailure f = assertThrows(OutboundFailure.class, () -> stream.body().readAllBytes());
        LOG.infof("streamed stall: the read failed after %d ms", (System.nanoTime() - t0) / 1_000_000);
        assertEquals(Reason.IDLE_TIMEOUT, f.reason());
        upstreamSawTheConnectionClosed();
    }

    @Test
    void a_blocking_call_on_the_event_loop_is_refused() throws Exception {
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            try {
                client.call(post(healthy.url("/token")), BOUNDS);
                refused.complete(null);
            } catch (Throwable t) {
                refused.complete(t);
            }
        });
        assertTrue(refused.get(5, TimeUnit.SECONDS) instanceof IllegalStateException);
    }

    @Test
    void a_header_with_a_line_break_is_refused_before_anything_is_sent() throws Exception {
        OutboundRequest bad = OutboundRequest.of("GET", URI.create(healthy.url("/api")),
                Map.of("Authorization", "Bearer at-1\r\nX-Injected: 1"), null);
        long t0 = System.nanoTime();
        OutboundFailure f = assertThrows(OutboundFailure.class, () -> client.call(bad, BOUNDS));
        assertEquals(Reason.INVALID_REQUEST, f.reason());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(1).toNanos());
        assertTrue(!f.getMessage().contains("at-1"), f.getMessage());
        nextCallIsAnsweredAtOnce();
    }

    @Test
    void a_blocking_call_from_a_worker_context_does_not_wait_for_its_own_context() throws Exception {
        // a Vert.x worker context runs its tasks in order: were the call's callbacks queued on it, behind the task
        // that waits for them, every call from such a thread (a scheduled job, a blocking handler) would time out
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        ((io.vertx.core.impl.VertxInternal) vertx).createWorkerContext().runOnContext(v -> {
            long t0 = System.nanoTime();
            try {
                OutboundAnswer a = client.call(post(healthy.url("/token")), BOUNDS);
                outcome.complete((System.nanoTime() - t0) / 1_000_000 + " ms, status " + a.status());
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        Object got = outcome.get(10, TimeUnit.SECONDS);
        LOG.infof("a call from a worker context: %s", got);
        assertTrue(got instanceof String && ((String) got).endsWith("status 200"), String.valueOf(got));
    }
}
