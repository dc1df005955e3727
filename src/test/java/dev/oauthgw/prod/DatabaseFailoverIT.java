package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.PackagedJarTest;

/**
 * The gateway's database connections are killed (as by a PostgreSQL restart or failover; the machine's PostgreSQL
 * itself is left alone: only this jar's sessions, found by their application name, are terminated): no request
 * answers 500 (a request that meets a dead connection answers 503 problem+json), and the gateway recovers by itself.
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
