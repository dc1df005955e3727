package dev.oauthgw.prod;

import static dev.oauthgw.prod.JarGrants.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.crypto.TestCiphers;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.testing.Await;
import dev.oauthgw.testing.PackagedJarTest;

/**
 * Two gateway replicas as real processes (the packaged jar, prod profile) on one PostgreSQL, against an OAuth server
 * running as a process of its own ({@link RotatingProvider}: refresh-token rotation, the whole family revoked on
 * reuse, tokens that live 30 s, answers that take 200 ms, and a 15 s reuse interval as Auth0 tenants can set), for
 * several refresh cycles: 200 concurrent GET /tokens spread over both replicas when the tokens come due, one replica
 * SIGKILLed while it is refreshing and started again. No reuse, no grant lost, no grant refreshed twice in a cycle
 * (but for the one retry of an answer the kill lost, which the provider accepts within its reuse interval).
 * <p>
 * The claim of a refresh is a lease ({@code answer-lost-after}, ADR 0020): only when it has run out may a replica
 * take over the refresh the kill interrupted, and retry a lost answer with the old refresh token. That retry must
 * reach the provider within its reuse interval (15 s here, as an Auth0 tenant can set it), so the lease is
 * {@value #LEASE} here (the default, two minutes, would have the provider revoke the family), with the request timeout
 * and the store's lock wait short enough for the start-up check to allow it. The request timeout (5 s) is far above
 * the provider's 200 ms: under the herd of callers on a busy machine a 2 s deadline was seen to cut answers the
 * provider had already sent, whose rotated refresh token is then lost (a timeout after the request was sent is a lost
 * answer; see the closing note of issue 18), which is not what this test is about.
 */
@PackagedJarTest
class ReplicasIT {

    private static final int GRANTS = 20;
    private static final long LIFETIME = 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The claim's lease: longer than the request timeout (5 s, the total deadline) + 0.5 s + store-lock-wait (1 s). */
    static final String LEASE = "PT7S";

    @Test
    void two_replicas_share_the_grants_and_survive_a_kill_in_the_middle_of_a_refresh() throws Exception {
        Map<String, String> env = ProdConfig.env();
        Path portFile = Files.createTempFile("rotating-provider", ".port");
        Files.delete(portFile);
        Path providerLog = Files.createTempFile("rotating-provider", ".log");
        Process provider = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RotatingProvider.class.getName(), portFile.toString(),
                String.valueOf(LIFETIME), "15", "200")).redirectErrorStream(true).redirectOutput(providerLog.toFile())
                .start();
        List<Process> replicas = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (Connection db = DriverManager.getConnection(env.get("QUARKUS_DATASOURCE_JDBC_URL"),
                env.get("QUARKUS_DATASOURCE_USERNAME"), env.get("QUARKUS_DATASOURCE_PASSWORD"))) {
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(portFile) || Files.readString(portFile).isBlank()) {
                assertTrue(System.nanoTime() < until && provider.isAlive(), "the provider did not start");
                Thread.sleep(50);
            }
            String base = "http://127.0.0.1:" + Files.readString(portFile).trim();
            env.put("GATEWAY_PROVIDER_REQUIRE_HTTPS", "false");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_TOKEN_URL", base + "/oauth/token");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_MIN_TOKEN_LIFETIME", "PT10S"); // 30 s tokens
            env.put("GATEWAY_REFRESH_TICK", "1s");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CONNECT_TIMEOUT", "PT1S");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_REQUEST_TIMEOUT", "PT5S");
            env.put("GATEWAY_REFRESH_STORE_LOCK_WAIT", "PT1S");
            env.put("GATEWAY_REFRESH_ANSWER_LOST_AFTER", LEASE);
            TokenCipher cipher = TestCiphers.forKeyring(env.get("GATEWAY_CRYPTO_KEYRING"));

            Path logA = Files.createTempFile("replica-a", ".log");
            Path logB = Files.createTempFile("replica-b", ".log");
            Process a = ProdConfig.launch(env, logA, 0);
            replicas.add(a);
            Process b = ProdConfig.launch(env, logB, 0);
            replicas.add(b);
            String urlA = ProdConfig.awaitListening(a, logA);
            String urlB = ProdConfig.awaitListening(b, logB);

            JsonNode families = JSON.readTree(get(http, base + "/families?n=" + GRANTS, null).body());
            List<String> partners = new ArrayList<>();
            Instant due = Instant.now().plusSeconds(5);
            for (int i = 0; i < GRANTS; i++) {
                partners.add(insertGrant(db, cipher, families.get(i).asText(), due.plusMillis(100L * i)));
            }

            // the tokens come due (the scheduler has begun refreshing them): 200 concurrent callers, spread over both
            // replicas
            Await.until(Duration.ofSeconds(30), "the replicas began refreshing the due grants",
                    () -> stats(http, base).get("refreshes").asInt() > 0);
            long now = Instant.now().getEpochSecond();
            String jwt = ProdConfig.callerJwt("svc-replicas", "tokens:read", now, now + 3600, "\"partners\":[\"*\"]");
            ExecutorService pool = Executors.newFixedThreadPool(40);
            int served = 0;
            try {
                List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    String url = (i % 2 == 0 ? urlA : urlB) + "/tokens/" + partners.get(i % GRANTS);
                    calls.add(() -> get(http, url, jwt));
                }
                for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
                    HttpResponse<String> r = f.get();
                    assertEquals(200, r.statusCode(), r.body());
                    JsonNode t = JSON.readTree(r.body());
                    assertTrue(Instant.parse(t.get("expires_at").asText()).isAfter(Instant.now()), r.body());
                    served++;
                }
            } finally {
                pool.shutdownNow();
            }

            // replica A is killed while it refreshes (its in-flight marker is there), and started again
            String ownerA = a.pid() + "@";
            long killBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (count(db, "select count(*) from refresh_attempt where owner like ?", ownerA + "%") == 0) {
                assertTrue(System.nanoTime() < killBy, "replica A never refreshed");
                Thread.sleep(5);
            }
            a.destroyForcibly();
            assertTrue(a.waitFor(30, TimeUnit.SECONDS));
            Instant killedAt = Instant.now();
            Path logA2 = Files.createTempFile("replica-a2", ".log");
            Process a2 = ProdConfig.launch(env, logA2, 0);
            replicas.add(a2);
            ProdConfig.awaitListening(a2, logA2);

            // two more cycles pass with both replicas at work: every family refreshed twice more after the restart
            int cycles = Math.max(3, stats(http, base).get("min_refreshes_per_family").asInt() + 2);
            Await.until(Duration.ofSeconds(6 * LIFETIME), "every family was refreshed " + cycles + " times",
                    () -> stats(http, base).get("min_refreshes_per_family").asInt() >= cycles);
            JsonNode stats = stats(http, base);
            long notActive = count(db, "select count(*) from partner_grant g join partner p on p.id = g.partner_id "
                    + "where p.id like 'replica-%' and g.state <> 'ACTIVE'");
            long recovered = count(db, "select count(*) from audit_event where action = 'REFRESH_ANSWER_RECOVERED' "
                    + "and partner_id like 'replica-%'");
            long lost = count(db, "select count(*) from audit_event where action = 'REFRESH_ANSWER_LOST' "
                    + "and partner_id like 'replica-%'");
            System.out.printf("[replicas] %d grants, %d /tokens answers served (200), replica A killed at %s; provider: "
                    + "%s; answers recovered %d, lost %d%n", GRANTS, served, killedAt, stats, recovered, lost);
            assertEquals(0, stats.get("reuses").asInt(), "the provider never saw a refresh token twice outside its "
                    + "reuse interval: " + stats);
            assertEquals(GRANTS, stats.get("alive").asInt(), "no family revoked: " + stats);
            assertEquals(0, notActive, "every grant is ACTIVE");
            assertTrue(stats.get("min_refreshes_per_family").asInt() >= 3, "several cycles passed: " + stats);
            assertTrue(stats.get("min_gap_ms").asLong() >= 10_000, "no grant refreshed twice in a cycle: " + stats);
            assertTrue(stats.get("within_reuse_interval").asLong() <= lost,
                    "the reuse interval served only the retries of lost answers: " + stats);
        } finally {
            for (Process p : replicas) {
                p.destroy();
            }
            for (Process p : replicas) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            provider.destroyForcibly();
        }
    }

    /** The provider's counts ({@link RotatingProvider}'s GET /stats). */
    private static JsonNode stats(HttpClient http, String base) throws Exception {
        return JSON.readTree(get(http, base + "/stats", null).body());
    }

    private static HttpResponse<String> get(HttpClient http, String url, String bearer) throws Exception {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            rb.header("Authorization", "Bearer " + bearer);
        }
        return http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String insertGrant(Connection db, TokenCipher cipher, String refreshToken, Instant due)
            throws Exception {
        return JarGrants.insertActive(db, cipher, "replica", refreshToken, Instant.now().plusSeconds(LIFETIME), LIFETIME,
                due);
    }
}
