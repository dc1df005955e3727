package dev.oauthgw.testing;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of PostgreSQL that passes everything through, except that while {@link #drop(boolean)
 * dropping} it drops the NotificationResponse messages ({@code 'A'}) sent to connections whose
 * {@code application_name} starts with a given prefix (the token cache's listener). Such a connection stays alive
 * and answers every query ({@code select 1}), it only hears nothing: what a pooler in transaction mode or a
 * listener left on an old primary does to LISTEN.
 * <p>
 * It answers SSL and GSS encryption requests with "no" itself, so that it can read the protocol; everything else is
 * PostgreSQL's. For tests only: bounded by the test's lifetime, listening on the loopback address.
 */
public final class NotificationDroppingProxy implements Closeable {

    private static final int SSL_REQUEST = 80877103;
    private static final int GSS_REQUEST = 80877104;
    private static final int MAX_STARTUP = 10_000;

    private final String upstreamHost;
    private final int upstreamPort;
    private final String prefix;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong listeners = new AtomicLong();
    private volatile boolean dropping;
    private volatile boolean closed;

    private NotificationDroppingProxy(String upstreamHost, int upstreamPort, String prefix) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.prefix = prefix;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "pg-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** A proxy to PostgreSQL at host:port, dropping notifications to connections named {@code prefix...}. */
    public static NotificationDroppingProxy start(String upstreamHost, int upstreamPort, String prefix)
            throws IOException {
        return new NotificationDroppingProxy(upstreamHost, upstreamPort, prefix);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on, drop (or pass again) the notifications to the named connections. */
    public void drop(boolean on) {
        dropping = on;
    }

    /** Notifications dropped so far. */
    public long dropped() {
        return dropped.get();
    }

    /** Connections made so far with the prefix as their application_name. */
    public long listenerConnections() {
        return listeners.get();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        open.forEach(NotificationDroppingProxy::closeQuietly);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "pg-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("pg proxy: accept failed: " + e);
                }
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = new Socket();
        open.add(upstream);
        try {
            upstream.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5_000);
            DataInputStream fromClient = new DataInputStream(client.getInputStream());
            OutputStream toClient = client.getOutputStream();
            DataOutputStream toServer = new DataOutputStream(upstream.getOutputStream());
            while (true) {
                int length = fromClient.readInt();
                if (length < 8 || length > MAX_STARTUP) {
                    throw new IOException("not a startup packet");
                }
                byte[] body = fromClient.readNBytes(length - 4);
                int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
                if (code == SSL_REQUEST || code == GSS_REQUEST) {
                    toClient.write('N'); // plain text: the proxy must read the messages
                    toClient.flush();
                    continue;
                }
                toServer.writeInt(length);
                toServer.write(body);
                toServer.flush();
                break;
            }
            pipe(fromClient, upstream.getOutputStream(), client, upstream, "pg-proxy-up");
            filter(new DataInputStream(upstream.getInputStream()), toClient);
        } catch (IOException e) {
            // a side closed: so do we
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
            open.remove(client);
            open.remove(upstream);
        }
    }

    /**
     * Messages from PostgreSQL to the client, each passed on, except notifications while dropping once the connection
     * is named: PostgreSQL reports the connection's application_name (ParameterStatus, at the start and after each
     * SET), whichever way the driver sets it.
     */
    private void filter(DataInputStream in, OutputStream out) throws IOException {
        BufferedOutputStream buffered = new BufferedOutputStream(out, 16 * 1024);
        DataOutputStream o = new DataOutputStream(buffered);
        boolean named = false;
        while (true) {
            int type = in.read();
            if (type < 0) {
                throw new EOFException();
            }
            int length = in.readInt();
            byte[] body = in.readNBytes(length - 4);
            if (body.length != length - 4) {
                throw new EOFException();
            }
            if (type == 'S') {
                String[] nameValue = new String(body, StandardCharsets.UTF_8).split("\0");
                if (nameValue.length == 2 && nameValue[0].equals("application_name")) {
                    boolean was = named;
                    named = nameValue[1].startsWith(prefix);
                    if (named && !was) {
                        listeners.incrementAndGet();
                    }
                }
            }
            if (type == 'A' && named && dropping) {
                dropped.incrementAndGet();
            } else {
                o.write(type);
                o.writeInt(length);
                o.write(body);
            }
            if (in.available() == 0) {
                o.flush();
            }
        }
    }

    private static void pipe(InputStream in, OutputStream out, Socket a, Socket b, String name) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(out);
            } catch (IOException e) {
                // closed
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
