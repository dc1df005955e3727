package dev.oauthgw.http;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one HTTP client of every outbound call the gateway makes (token and revocation endpoints, the identity probe,
 * webhooks, the proxy; ADR 0019), on Quarkus' Vert.x: the call runs on the event loop with Vert.x timers for its
 * {@link HttpBounds} (connect, response headers, idle between body bytes, total) and reads at most the size cap.
 * Past a deadline or over the cap the request is reset, which closes the connection, and the caller gets an
 * {@link OutboundFailure} that names the bound. No thread waits on the network: blocking callers ({@link #call},
 * {@link #open}) wait for the outcome at most {@link HttpBounds#holdsAtMost()}, and never on the event loop.
 * <p>
 * HTTP/1.1, no redirects, no decompression (a compressed answer could grow past the cap after it was counted),
 * JDK trust store for https; connections are pooled per connect timeout (Vert.x sets the TCP connect timeout per
 * client) and a connection that failed a bound never returns to the pool. Knows no feature of the gateway.
 */
@ApplicationScoped
public class BoundedHttpClient {

    /** Connections per host and client; generous, since a call never holds one longer than its total deadline. */
    static final int MAX_CONNECTIONS_PER_HOST = 200;

    private final Vertx vertx;
    private final Map<Long, HttpClient> clients = new ConcurrentHashMap<>();

    public BoundedHttpClient(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The whole answer, read within {@code bounds}, without blocking: the stage fails with an {@link OutboundFailure}. */
    public CompletionStage<OutboundAnswer> send(OutboundRequest request, HttpBounds bounds) {
        Collected sink = new Collected(bounds);
        new Exchange(vertx, client(bounds), request, bounds, sink).start();
        return sink.answer;
    }

    /**
     * The whole answer, read within {@code bounds}, for a worker thread: it waits at most
     * {@link HttpBounds#holdsAtMost()}.
     *
     * @throws OutboundFailure past a deadline, over the size cap, or without a connection; the connection is closed
     * @throws IllegalStateException on the event loop
     */
    public OutboundAnswer call(OutboundRequest request, HttpBounds bounds) throws OutboundFailure {
        refuseOnEventLoop();
        Collected sink = new Collected(bounds);
        Exchange exchange = new Exchange(vertx, client(bounds), request, bounds, sink);
        exchange.start();
        return await(sink.answer, exchange, bounds);
    }

    /**
     * Status and headers within the headers deadline, the body to be read as it arrives (see {@link OutboundStream}),
     * for a worker thread.
     *
     * @throws OutboundFailure no headers in time, no connection, or a Content-Length over the cap
     */
    public OutboundStream open(OutboundRequest request, HttpBounds bounds) throws OutboundFailure {
        refuseOnEventLoop();
        OutboundStream stream = new OutboundStream(bounds);
        Exchange exchange = new Exchange(vertx, client(bounds), request, bounds, stream);
        stream.started(exchange);
        exchange.start();
        return await(stream.head(), exchange, bounds);
    }

    private static <T> T await(CompletableFuture<T> outcome, Exchange exchange, HttpBounds bounds)
            throws OutboundFailure {
        try {
            return outcome.get(bounds.holdsAtMost().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OutboundFailure f) {
                throw f;
            }
            throw OutboundFailure.lost(e.getCause());
        } catch (TimeoutException e) { // the event loop's own timer should have ended it: never wait longer
            OutboundFailure f = OutboundFailure.totalTimeout(bounds.total());
            exchange.abandon(f);
            throw f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            OutboundFailure f = OutboundFailure.interrupted();
            exchange.abandon(f);
            throw f;
        }
    }

    private static void refuseOnEventLoop() {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("a blocking outbound call on the event loop; call it from a worker");
        }
    }

    private HttpClient client(HttpBounds bounds) {
        return clients.computeIfAbsent(bounds.connect().toMillis(), ms -> vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, ms))
                .setMaxPoolSize(MAX_CONNECTIONS_PER_HOST)
                .setKeepAlive(true)
                .setKeepAliveTimeout(30)
                .setTryUseCompression(false)
                .setForceSni(true)
                .setVerifyHost(true)));
    }

    @PreDestroy
    void close() {
        clients.values().forEach(HttpClient::close);
        clients.clear();
    }

    /** A whole answer gathered in memory, at most the cap (checked by the exchange before each piece is added). */
    private static final class Collected implements Exchange.Sink {
        final CompletableFuture<OutboundAnswer> answer = new CompletableFuture<>();
        private final Buffer body;
        private int status;
        private Map<String, java.util.List<String>> headers;

        Collected(HttpBounds bounds) {
            body = Buffer.buffer((int) Math.min(8192, bounds.maxAnswerBytes()));
        }

        @Override
        public void headers(Exchange e, int status, Map<String, java.util.List<String>> headers) {
            this.status = status;
            this.headers = headers;
        }

        @Override
        public void data(Buffer piece) {
            body.appendBuffer(piece);
        }

        @Override
        public void end() {
            answer.complete(new OutboundAnswer(status, headers, body.getBytes()));
        }

        @Override
        public void fail(OutboundFailure failure) {
            answer.completeExceptionally(failure);
        }
    }
}
