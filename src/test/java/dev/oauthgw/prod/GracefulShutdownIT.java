package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.oauthgw.crypto.TestCiphers;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.testing.PackagedJarTest;

/**
 * SIGTERM to the packaged jar while a slow request is in flight (GET /tokens waiting for a provider that takes
 * seconds to refresh): readiness turns DOWN during the shutdown delay, the request completes, the process exits 0
 * and the token access record of that request is written.
 */
@PackagedJarTest
class GracefulShutdownIT {

    /** A token endpoint that answers a refresh after {@link #DELAY}. */
    static final class SlowProvider implements AutoCloseable {
        static final Duration DELAY = Duration.ofSeconds(4);
        private final HttpServer server;
        final AtomicInteger calls = new AtomicInteger();

        SlowProvider() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.createContext("/oauth/token", this::token);
            server.start();
        }

        String tokenUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/oauth/token";
        }

        private void token(HttpExchange x) throws IOException {
            x.getRequestBody().readAllBytes();
            calls.incrementAndGet();
            try {
                Thread.sleep(DELAY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] b = ("{\"access_token\":\"at-" + UUID.randomUUID() + "\",\"refresh_token\":\"rt-" + UUID.randomUUID()
                    + "\",\"token_type\":\"Bearer\",\"expires_in\":86400,\"scope\":\"Manage:Pax8Data\"}")
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, b.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(b);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void sigterm_turns_readiness_down_lets_the_request_finish_and_loses_no_record() throws Exception {
        Map<String, String> env = ProdConfig.env();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (SlowProvider provider = new SlowProvider();
                Connection db = DriverManager.getConnection(env.get("QUARKUS_DATASOURCE_JDBC_URL"),
                        env.get("QUARKUS_DATASOURCE_USERNAME"), env.get("QUARKUS_DATASOURCE_PASSWORD"))) {
            env.put("GATEWAY_PROVIDER_REQUIRE_HTTPS", "false");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_TOKEN_URL", provider.tokenUrl());
            env.put("GATEWAY_SHUTDOWN_DELAY", "2S");
            env.put("GATEWAY_SHUTDOWN_TIMEOUT", "20S");
            TokenCipher cipher = TestCiphers.forKeyring(env.get("GATEWAY_CRYPTO_KEYRING"));
            Path log = Files.createTempFile("graceful", ".log");
            Process app = ProdConfig.launch(env, log, 0);
            try {
                String base = ProdConfig.awaitListening(app, log);
                String management = ProdConfig.managementUrl(log);
                UUID grantId = RefreshCrashIT.insertGrant(db, cipher, "rt-" + UUID.randomUUID());
                RefreshCrashIT.update(db, "update partner_grant set access_expires_at = now() + interval '1 minute' "
                        + "where id = ?", grantId);
                String partner = RefreshCrashIT.one(db, "select partner_id from partner_grant where id = ?", grantId);
                assertEquals(200, status(http, management + "/q/health/ready"), "ready before");

                long now = System.currentTimeMillis() / 1000;
                String jwt = ProdConfig.callerJwt("svc-graceful", "tokens:read", now, now + 600, "\"partners\":[\"*\"]");
                CompletableFuture<HttpResponse<String>> slow = http.sendAsync(HttpRequest.newBuilder(
                        URI.create(base + "/tokens/" + partner)).header("Authorization", "Bearer " + jwt).build(),
                        HttpResponse.BodyHandlers.ofString());
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (provider.calls.get() == 0 && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertEquals(1, provider.calls.get(), "the request is at the provider:\n" + Files.readString(log));

                app.destroy(); // SIGTERM
                boolean sawNotReady = false;
                until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (!sawNotReady && System.nanoTime() < until) {
                    sawNotReady = status(http, management + "/q/health/ready") == 503;
                    Thread.sleep(50);
                }
                assertTrue(sawNotReady, "readiness DOWN during the shutdown delay:\n" + Files.readString(log));

                HttpResponse<String> r = slow.get(30, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(app.waitFor(40, TimeUnit.SECONDS), "exited:\n" + Files.readString(log));
                assertEquals(0, app.exitValue(), Files.readString(log));
                assertEquals(1, RefreshCrashIT.count(db, "select coalesce(sum(served_count), 0) from token_access "
                        + "where kind = 'partner' and subject = ?", partner),
                        "the token access record was written (counted in memory, written by the shutdown's drain)");
            } finally {
                app.destroyForcibly();
            }
        }
    }

    private static int status(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
