package dev.oauthgw.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.buffer.Buffer;

/**
 * An answer whose body is read as it arrives ({@link BoundedHttpClient#open}), for the proxy: status and headers
 * first, then {@link #body()}, an {@link InputStream} with back-pressure (the server is paused while more than
 * {@value #HIGH_WATER} bytes wait for the reader). The deadlines of its {@link HttpBounds} keep running while the
 * body is read: past one, or over the size cap, the connection is closed and the next {@code read} throws the
 * {@link OutboundFailure}. A reader that stops early must {@link InputStream#close() close} the body: that closes
 * the connection too.
 */
public final class OutboundStream implements Exchange.Sink {

    static final int HIGH_WATER = 256 * 1024;
    static final int LOW_WATER = 64 * 1024;
    private static final Object END = new Object();

    private final HttpBounds bounds;
    private final long deadlineNanos;
    private final CompletableFuture<OutboundStream> head = new CompletableFuture<>();
    private final LinkedBlockingQueue<Object> pieces = new LinkedBlockingQueue<>();
    private final AtomicLong waiting = new AtomicLong();
    private volatile boolean paused; // changed on the call's context only
    private volatile Exchange exchange;
    private int status;
    private Map<String, List<String>> headers;
    private final Body body = new Body();

    OutboundStream(HttpBounds bounds) {
        this.bounds = bounds;
        this.deadlineNanos = System.nanoTime() + bounds.holdsAtMost().toNanos();
    }

    CompletableFuture<OutboundStream> head() {
        return head;
    }

    void started(Exchange e) {
        this.exchange = e;
    }

    public int status() {
        return status;
    }

    /** As received; read one with {@link #header(String)}. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    public java.util.Optional<String> header(String name) {
        return new OutboundAnswer(status, headers, new byte[0]).header(name);
    }

    /** The body as it arrives; read it on a worker thread, never on the event loop. */
    public InputStream body() {
        return body;
    }

    @Override
    public void headers(Exchange e, int status, Map<String, List<String>> headers) {
        this.status = status;
        this.headers = headers;
        head.complete(this);
    }

    @Override
    public void data(Buffer piece) {
        pieces.add(piece);
        if (waiting.addAndGet(piece.length()) > HIGH_WATER && !paused) {
            paused = true;
            exchange.pauseNow();
        }
    }

    @Override
    public void end() {
        pieces.add(END);
    }

    @Override
    public void fail(OutboundFailure failure) {
        head.completeExceptionally(failure);
        pieces.add(failure);
    }

    /** On the context, where {@link #paused} changes: resume once the reader is below the low-water mark. */
    private void resumeIfCaughtUp() {
        if (paused && waiting.get() < LOW_WATER) {
            paused = false;
            exchange.resumeNow();
        }
    }

    @Override
    public boolean paused() {
        return paused;
    }

    private final class Body extends InputStream {
        private Buffer current;
        private int position;
        private boolean finished;
        private IOException failed;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!next()) {
                return -1;
            }
            int n = Math.min(len, current.length() - position);
            current.getBytes(position, position + n, b, off);
            position += n;
            return n;
        }

        /** True when {@link #current} has bytes left; waits for the next piece at most until the total deadline. */
        private boolean next() throws IOException {
            if (failed != null) {
                throw failed;
            }
            while (!finished && (current == null || position >= current.length())) {
                Object piece;
                try {
                    long left = deadlineNanos - System.nanoTime();
                    piece = pieces.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw abandon(OutboundFailure.interrupted());
                }
                if (piece == null) { // the event loop should have ended it already; never wait longer
                    throw abandon(OutboundFailure.totalTimeout(bounds.total()));
                } else if (piece == END) {
                    finished = true;
                } else if (piece instanceof OutboundFailure f) {
                    failed = f;
                    throw f;
                } else {
                    current = (Buffer) piece;
                    position = 0;
                    if (waiting.addAndGet(-current.length()) < LOW_WATER && paused) {
                        exchange.onContext(OutboundStream.this::resumeIfCaughtUp);
                    }
                }
            }
            return !finished;
        }

        private IOException abandon(OutboundFailure f) {
            failed = f;
            exchange.abandon(f);
            return f;
        }

        @Override
        public void close() {
            if (!finished && failed == null && pieces.contains(END)) {
                finished = true; // the whole body is here (an empty one, say): the connection may be reused
            }
            if (!finished && failed == null) {
                failed = OutboundFailure.cancelled();
                exchange.abandon((OutboundFailure) failed);
            }
            pieces.clear();
        }
    }
}
