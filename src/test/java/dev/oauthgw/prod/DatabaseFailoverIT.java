package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.PackagedJarTest;

/**
 * The gateway's database connections are killed (as by a PostgreSQL restart or failover; the machine's PostgreSQL
 * itself is left alone: only this jar's sessions, found by their application name, are terminated): no request
 * answers 500 (a request that meets a dead connection answers 503 problem+json), and the gateway recovers by itself.
 * And PostgreSQL gone for a while (the jar reaches it through a TCP proxy of this test, which is cut: connections
 * reset, new ones refused, as during a restart or failover): readiness is DOWN while it is gone (liveness stays UP:
 * a restart would not help), and UP again by itself once it is back.
 */
@PackagedJarTest
class DatabaseFailoverIT {

    @Test
    void killed_database_connections_answer_503_not_500_and_the_gateway_recovers() throws Exception {
        Map<String, String> env = ProdConfig.env();
        String appName = "gw-failover-it-" + Long.toHexString(System.nanoTime());
        String url = env.get("QUARKUS_DATASOURCE_JDBC_URL");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + appName);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Path log = Files.createTempFile("failover", ".log");
        Process app = ProdConfig.launch(env, log, 0);
        try (Connection db = DriverManager.getConnection(url, env.get("QUARKUS_DATASOURCE_USERNAME"),
                env.get("QUARKUS_DATASOURCE_PASSWORD"))) {
            String base = ProdConfig.awaitListening(app, log);
            String management = ProdConfig.managementUrl(log);
            long now = System.currentTimeMillis() / 1000;
            String jwt = ProdConfig.callerJwt("svc-failover", "tokens:read", now, now + 600, "\"partners\":[\"*\"]");
            // warm the pool: several connections in use at once
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> warm = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                warm.add(http.sendAsync(tokens(base, jwt), HttpResponse.BodyHandlers.ofString()));
            }
            for (var f : warm) {
                assertEquals(404, f.get(30, TimeUnit.SECONDS).statusCode(), "an unknown partner, read from the database");
            }
            assertEquals(200, status(http, HttpRequest.newBuilder(URI.create(management + "/q/health/ready")).build()));

            int killed = 0;
            try (ResultSet rs = db.createStatement().executeQuery(
                    "select pg_terminate_backend(pid) from pg_stat_activity where application_name = '" + appName + "'")) {
                while (rs.next()) {
                    killed++;
                }
            }
            assertTrue(killed > 0, "the jar's sessions were found by their application name");

            List<Integer> statuses = new ArrayList<>();
            int last = -1;
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < until) {
                HttpResponse<String> r = http.send(tokens(base, jwt), HttpResponse.BodyHandlers.ofString());
                last = r.statusCode();
                statuses.add(last);
                assertNotEquals(500, last, "a 500 while the database was gone: " + r.body());
                if (last == 503) {
                    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                            r.headers().toString());
                    assertTrue(r.body().contains("database-unavailable"), r.body());
                }
                if (last == 404 && statuses.size() >= 10) {
                    break;
                }
            }
            assertEquals(404, last, "the gateway recovered by itself: " + statuses);
            assertEquals(200, status(http, HttpRequest.newBuilder(URI.create(management + "/q/health/ready")).build()),
                    "ready again");
            String out = Files.readString(log);
            assertTrue(!out.contains("\"level\":\"ERROR\"") || !out.contains("Unexpected failure"),
                    "no unexpected failure logged:\n" + out);
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
            app.destroyForcibly();
        }
    }

    @Test
    void readiness_is_down_while_the_database_is_gone_and_up_again_when_it_returns() throws Exception {
        Map<String, String> env = ProdConfig.env();
        URI db = URI.create(env.get("QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
        try (DatabaseProxy proxy = new DatabaseProxy(db.getHost(), db.getPort() < 0 ? 5432 : db.getPort())) {
            env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + proxy.port() + db.getRawPath()
                    + (db.getRawQuery() == null ? "" : "?" + db.getRawQuery()));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Path log = Files.createTempFile("db-gone", ".log");
            Process app = ProdConfig.launch(env, log, 0);
            try {
                String base = ProdConfig.awaitListening(app, log);
                String management = ProdConfig.managementUrl(log);
                HttpRequest ready = HttpRequest.newBuilder(URI.create(management + "/q/health/ready")).timeout(Duration.ofSeconds(20)).build();
                HttpRequest live = HttpRequest.newBuilder(URI.create(management + "/q/health/live")).timeout(Duration.ofSeconds(20)).build();
                long now = System.currentTimeMillis() / 1000;
                String jwt = ProdConfig.callerJwt("svc-db-gone", "tokens:read", now, now + 600, "\"partners\":[\"*\"]");
                assertEquals(200, status(http, ready), "ready with the database there");
                assertEquals(404, http.send(tokens(base, jwt), HttpResponse.BodyHandlers.discarding()).statusCode());

                proxy.cut();
                int readiness = awaitStatus(http, ready, 503, Duration.ofSeconds(40));
                assertEquals(503, readiness, "readiness DOWN while the database is gone:\n" + Files.readString(log));
                // and it stays DOWN while the database is gone: asked again and again for 3 s (a span of time is what
                // this asserts, so it is sampled over one; nothing is awaited)
                long sampleUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                int samples = 0;
                while (System.nanoTime() < sampleUntil || samples < 2) {
                    assertEquals(503, status(http, ready), "and it stays DOWN while the database is gone");
                    samples++;
                    Thread.sleep(250); // the sampling interval
                }
                assertEquals(200, status(http, live), "liveness stays UP: restarting the gateway would not bring the database back");
                HttpResponse<String> gone = http.send(tokens(base, jwt), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, gone.statusCode(), "a request that needs the database: " + gone.body());

                proxy.restore();
                assertEquals(200, awaitStatus(http, ready, 200, Duration.ofSeconds(60)),
                        "ready again by itself once the database is back:\n" + Files.readString(log));
                assertEquals(404, http.send(tokens(base, jwt), HttpResponse.BodyHandlers.discarding()).statusCode(),
                        "requests read the database again");
                assertTrue(proxy.accepted() > 1, "the jar reached PostgreSQL through the proxy");
            } finally {
                app.destroy();
                app.waitFor(30, TimeUnit.SECONDS);
                app.destroyForcibly();
            }
        }
    }

    private static int awaitStatus(HttpClient http, HttpRequest request, int wanted, Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        int last = -1;
        while (System.nanoTime() < until) {
            last = status(http, request);
            if (last == wanted) {
                return last;
            }
            Thread.sleep(250);
        }
        return last;
    }

    /**
     * A TCP proxy in front of PostgreSQL that can be cut (every connection through it reset, new ones refused, as
     * while PostgreSQL restarts or fails over) and restored on the same port.
     */
    static final class DatabaseProxy implements AutoCloseable {
        private final String host;
        private final int targetPort;
        private final int port;
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private final AtomicInteger accepted = new AtomicInteger();
        private volatile ServerSocket server;

        DatabaseProxy(String host, int targetPort) throws IOException {
            this.host = host;
            this.targetPort = targetPort;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.port = server.getLocalPort();
            listen(server);
        }

        int port() {
            return port;
        }

        int accepted() {
            return accepted.get();
        }

        synchronized void cut() throws IOException {
            server.close();
            for (Socket s : open) {
                try {
                    s.setSoLinger(true, 0); // a reset, as from a host that went away
                    s.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
            open.clear();
        }

        synchronized void restore() throws IOException {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = s;
            listen(s);
        }

        private void listen(ServerSocket s) {
            Thread acceptor = new Thread(() -> {
                while (!s.isClosed()) {
                    try {
                        Socket client = s.accept();
                        Socket upstream = new Socket(host, targetPort);
                        accepted.incrementAndGet();
                        open.add(client);
                        open.add(upstream);
                        pump(client, upstream);
                        pump(upstream, client);
                    } catch (IOException closed) {
                        // cut() or close()
                    }
                }
            }, "db-proxy-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException ended) {
                    // either side closed
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                    open.remove(from);
                    open.remove(to);
                }
            }, "db-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public synchronized void close() throws IOException {
            cut();
        }
    }

    private static HttpRequest tokens(String base, String jwt) {
        return HttpRequest.newBuilder(URI.create(base + "/tokens/no-such-partner-failover"))
                .header("Authorization", "Bearer " + jwt).timeout(Duration.ofSeconds(20)).build();
    }

    private static int status(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
