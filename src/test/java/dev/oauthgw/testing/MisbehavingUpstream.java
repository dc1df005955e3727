package dev.oauthgw.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 upstream on a free loopback port that misbehaves the way networks do: headers and then silence, a
 * body that stops after its Content-Length was announced, one byte at a time, an endless body, no headers at all.
 * Every connection is served by one behaviour on a daemon thread; a behaviour that waits does so by reading the
 * socket, so it sees (and records in {@link #closedByClient}) the moment the client closes the connection, and it
 * gives up after {@link #LONGEST_WAIT} at the latest. {@link #close()} stops everything it started.
 */
public final class MisbehavingUpstream implements AutoCloseable {

    /** No behaviour waits longer than this, whatever the client does. */
    public static final Duration LONGEST_WAIT = Duration.ofSeconds(60);

    /** What to do with one connection, after its request was read. */
    public interface Behaviour {
        void serve(Socket socket, InputStream in, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "misbehaving-upstream");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour;
    /** When (System.nanoTime) each connection that was waiting saw the client close it. */
    public final LinkedBlockingQueue<Long> closedByClient = new LinkedBlockingQueue<>();
    /** Bytes of body written by {@link #flood()} before the client went away. */
    public final AtomicLong flooded = new AtomicLong();

    public MisbehavingUpstream(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public void behave(Behaviour b) {
        this.behaviour = b;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Behaviour b = behaviour;
                threads.execute(() -> {
                    try (s) {
                        InputStream in = s.getInputStream();
                        readRequest(in);
                        b.serve(s, in, s.getOutputStream());
                    } catch (IOException e) {
                        // the client went away: that is what the tests provoke
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads one request head and its Content-Length body. */
    static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the request was read");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        long length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        in.readNBytes((int) length);
    }

    /** Waits (reading) until the client closes the connection, at most {@link #LONGEST_WAIT}. */
    private void awaitClose(Socket s, InputStream in) throws IOException {
        s.setSoTimeout((int) LONGEST_WAIT.toMillis());
        try {
            while (in.read() >= 0) {
                // a client sends nothing more; drain whatever it does
            }
            closedByClient.add(System.nanoTime());
        } catch (SocketTimeoutException e) {
            // never closed: the test that asked will see no entry
        } catch (IOException e) {
            closedByClient.add(System.nanoTime()); // reset by the client
        }
    }

    private static void head(OutputStream out, int status, String... headers) throws IOException {
        StringBuilder b = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        out.write(b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** A whole answer at once. */
    public Behaviour ok(int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return (s, in, out) -> {
            head(out, status, "Content-Type: " + contentType, "Content-Length: " + bytes.length, "Connection: close");
            out.write(bytes);
            out.flush();
        };
    }

    /** Status and headers (with a Content-Length), then the first bytes of the body, then silence. */
    public Behaviour stallAfter(String firstBytes, int announcedLength) {
        return (s, in, out) -> {
            head(out, 200, "Content-Type: application/json", "Content-Length: " + announcedLength);
            out.write(firstBytes.getBytes(StandardCharsets.UTF_8));
            out.flush();
            awaitClose(s, in);
        };
    }

    /** Reads the request and never answers. */
    public Behaviour noHeaders() {
        return (s, in, out) -> awaitClose(s, in);
    }

    /** The announced body one byte per {@code interval} (each within any idle deadline longer than it). */
    public Behaviour crawl(int length, Duration interval) {
        return (s, in, out) -> {
            head(out, 200, "Content-Type: application/json", "Content-Length: " + length);
            try {
                for (int i = 0; i < length; i++) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(interval.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                closedByClient.add(System.nanoTime());
            }
        };
    }

    /** A chunked body that never ends, written as fast as the client takes it (at most 1 GiB). */
    public Behaviour flood() {
        return (s, in, out) -> {
            head(out, 200, "Content-Type: application/json", "Transfer-Encoding: chunked");
            byte[] chunk = ("2000\r\n" + "x".repeat(0x2000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                for (long n = 0; n < (1L << 30); n += 0x2000) {
                    out.write(chunk);
                    flooded.addAndGet(0x2000);
                }
            } catch (IOException e) {
                closedByClient.add(System.nanoTime());
            }
        };
    }

    /** A call against a URL, for {@link #warmUp}. */
    public interface UrlCall {
        void call(String url) throws Exception;
    }

    /**
     * Runs {@code call} once against a healthy upstream answering {@code status} and {@code body} (JSON). A fresh
     * Vert.x loads Netty's HTTP classes on the event loop at its first call (seconds on a busy machine): tests that
     * measure deadlines do that first, so that it does not count against their first test's bounds.
     */
    public static void warmUp(int status, String body, UrlCall call) {
        try (MisbehavingUpstream warm = new MisbehavingUpstream((s, in, out) -> { })) {
            warm.behave(warm.ok(status, "application/json", body));
            call.call(warm.url("/warm-up"));
        } catch (Exception e) {
            throw new IllegalStateException("the warm-up call failed", e);
        }
    }

    /** A loopback port nothing listens on (bound, then released): a connection there is refused. */
    public static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits for the next connection the client closed; null when none within {@code max}. */
    public Long awaitClosedByClient(Duration max) throws InterruptedException {
        return closedByClient.poll(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}
