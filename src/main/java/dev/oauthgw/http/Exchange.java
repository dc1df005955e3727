package dev.oauthgw.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.VertxInternal;

/**
 * One call on the event loop, with its timers. Every callback runs on the one Vert.x context the call was started
 * on, so the state below needs no lock; {@link #abandon} is the one entry from another thread (it hops onto the
 * context). The first outcome wins: a whole answer ({@link Sink#end}) or a failure ({@link Sink#fail}); after a
 * failure the request is reset, which closes an HTTP/1.1 connection, so the server's late bytes go nowhere.
 */
final class Exchange {

    /** Where the answer goes: a capped buffer ({@link BoundedHttpClient#send}) or a stream ({@link OutboundStream}). */
    interface Sink {
        /** The status line and headers arrived (the body follows). */
        void headers(Exchange exchange, int status, Map<String, List<String>> headers);

        void data(Buffer piece);

        void end();

        void fail(OutboundFailure failure);

        /** True while the reader is behind and the response is paused: the idle deadline does not run then. */
        default boolean paused() {
            return false;
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final HttpClient client;
    private final OutboundRequest request;
    private final HttpBounds bounds;
    private final Sink sink;
    private final AtomicBoolean done = new AtomicBoolean();
    private HttpClientRequest sent;
    private HttpClientResponse response;
    private long totalTimer = -1;
    private long headersTimer = -1;
    private long idleTimer = -1;
    private long lastPieceNanos;
    private long received;

    Exchange(Vertx vertx, HttpClient client, OutboundRequest request, HttpBounds bounds, Sink sink) {
        this.vertx = vertx;
        this.context = eventLoopContext(vertx);
        this.client = client;
        this.request = request;
        this.bounds = bounds;
        this.sink = sink;
    }

    /**
     * The caller's context when it is an event loop's (a request's duplicated context: Quarkus' blocking handlers
     * run on workers with it), else a new event-loop context. Never a worker context: it runs its tasks in order, so
     * the call's callbacks would queue behind the very task that waits for them (a scheduled job, for one) until the
     * caller's bound ran out.
     */
    private static Context eventLoopContext(Vertx vertx) {
        Context current = Vertx.currentContext();
        return current != null && current.isEventLoopContext() ? current
                : ((VertxInternal) vertx).createEventLoopContext();
    }

    /** Starts the call on its context; returns at once. */
    void start() {
        context.runOnContext(v -> {
            try {
                begin();
            } catch (RuntimeException e) { // a header Vert.x refuses (a line break in a value), a bad method or URI
                fail(OutboundFailure.invalidRequest(e));
            }
        });
    }

    /** Ends the call from any thread with this failure (if it has not ended already): the connection is closed. */
    void abandon(OutboundFailure failure) {
        context.runOnContext(v -> fail(failure));
    }

    /** Runs {@code r} on the call's context (from any thread). */
    void onContext(Runnable r) {
        context.runOnContext(v -> r.run());
    }

    /** On the context: the reader is behind; stop reading from the server (the idle deadline stops with it). */
    void pauseNow() {
        if (!done.get() && response != null) {
            response.pause();
        }
    }

    /** On the context: the reader caught up; the response flows again and the idle deadline runs from now. */
    void resumeNow() {
        if (!done.get() && response != null) {
            lastPieceNanos = System.nanoTime();
            response.resume();
        }
    }

    private void begin() {
        if (done.get()) {
            return;
        }
        totalTimer = vertx.setTimer(bounds.total().toMillis(), id -> fail(OutboundFailure.totalTimeout(bounds.total())));
        headersTimer = vertx.setTimer(bounds.headers().toMillis(),
                id -> fail(OutboundFailure.headersTimeout(bounds.headers())));
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(request.method()))
                .setAbsoluteURI(request.uri().toString()).setConnectTimeout(bounds.connect().toMillis())
                .setFollowRedirects(false);
        request.headers().forEach((name, values) -> values.forEach(v -> options.addHeader(name, v)));
        client.request(options).onComplete(ar -> {
            if (ar.failed()) {
                fail(connectFailure(ar.cause()));
                return;
            }
            HttpClientRequest r = ar.result();
            if (done.get()) {
                r.reset();
                return;
            }
            sent = r;
            byte[] body = request.body();
            Buffer payload = body == null ? Buffer.buffer() : Buffer.buffer(body);
            r.send(payload).onComplete(rr -> {
                if (rr.failed()) {
                    fail(OutboundFailure.lost(rr.cause()));
                } else {
                    answered(rr.result());
                }
            });
        });
    }

    private void answered(HttpClientResponse r) {
        if (done.get()) {
            return;
        }
        response = r;
        vertx.cancelTimer(headersTimer);
        String length = r.getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > bounds.maxAnswerBytes()) {
                    fail(OutboundFailure.tooLarge(bounds.maxAnswerBytes()));
                    return;
                }
            } catch (NumberFormatException e) {
                // counted as it comes
            }
        }
        r.exceptionHandler(t -> fail(OutboundFailure.lost(t)));
        r.handler(this::piece);
        r.endHandler(v -> end());
        lastPieceNanos = System.nanoTime();
        idleTimer = vertx.setTimer(bounds.idle().toMillis(), this::idleCheck);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        r.headers().forEach(e -> headers.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        sink.headers(this, r.statusCode(), headers);
    }

    private void piece(Buffer b) {
        if (done.get()) {
            return;
        }
        received += b.length();
        if (received > bounds.maxAnswerBytes()) {
            fail(OutboundFailure.tooLarge(bounds.maxAnswerBytes()));
            return;
        }
        lastPieceNanos = System.nanoTime();
        sink.data(b);
    }

    /** The idle deadline, checked against the last piece rather than re-armed for each piece. */
    private void idleCheck(long id) {
        if (done.get()) {
            return;
        }
        long idleNanos = bounds.idle().toNanos();
        long since = System.nanoTime() - lastPieceNanos;
        if (sink.paused()) {
            lastPieceNanos = System.nanoTime(); // waiting for our reader, not for the server
            since = 0;
        } else if (since >= idleNanos) {
            fail(OutboundFailure.idleTimeout(bounds.idle()));
            return;
        }
        idleTimer = vertx.setTimer(Math.max(1, (idleNanos - since) / 1_000_000), this::idleCheck);
    }

    private void end() {
        if (done.compareAndSet(false, true)) {
            cancelTimers();
            sink.end();
        }
    }

    private void fail(OutboundFailure failure) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        cancelTimers();
        if (sent != null) {
            sent.reset(); // HTTP/1.1: closes the connection; it never goes back to the pool
            if (sent.connection() != null) {
                sent.connection().close();
            }
        }
        sink.fail(failure);
    }

    private void cancelTimers() {
        for (long t : new long[] { totalTimer, headersTimer, idleTimer }) {
            if (t >= 0) {
                vertx.cancelTimer(t);
            }
        }
    }

    private OutboundFailure connectFailure(Throwable t) {
        if (t instanceof ConnectTimeoutException || t instanceof TimeoutException
                || t.getClass().getSimpleName().contains("Timeout")) {
            return OutboundFailure.connectTimeout(bounds.connect(), t);
        }
        return OutboundFailure.connectFailed(t); // refused, unknown host, TLS handshake, ...
    }
}
