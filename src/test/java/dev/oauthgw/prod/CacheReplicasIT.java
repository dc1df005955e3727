package dev.oauthgw.prod;

import static dev.oauthgw.prod.JarGrants.count;
import static dev.oauthgw.prod.JarGrants.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.crypto.TestCiphers;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.testing.PackagedJarTest;
import dev.oauthgw.tokens.GrantChangeListener;

/**
 * The token cache across two replicas (two processes of the packaged jar, prod profile, one PostgreSQL;
 * docs/adr/0014-sealed-token-cache.md):
 * <ul>
 * <li>200 changes, each to a grant that replica B has just served twice (so it holds it cached): even ones a
 * disconnect through replica A's admin API, odd ones a re-authorization-required committed by another writer (SQL,
 * as the refresher's invalid_grant commits it). B answers 409 from the moment the announcement reaches it, and never
 * a token after; the delay from A's answer (or the commit) to B's first 409 is measured and printed (p50, p99,
 * max).</li>
 * <li>A refresh on A (inline, through a real OAuth server) makes B serve the new token.</li>
 * <li>B's listening connection is terminated ({@code pg_terminate_backend}): B reads the database (a change that is
 * never announced is served at once), then listens again and serves from its cache again.</li>
 * </ul>
 */
@PackagedJarTest
class CacheReplicasIT {

    private static final int CHANGES = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_change_committed_anywhere_is_never_served_by_the_other_replica_after_the_announcement() throws Exception {
        Map<String, String> env = ProdConfig.env();
        Path portFile = Files.createTempFile("rotating-provider", ".port");
        Files.delete(portFile);
        Path providerLog = Files.createTempFile("rotating-provider", ".log");
        Process provider = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RotatingProvider.class.getName(), portFile.toString(),
                "30", "10", "0")).redirectErrorStream(true).redirectOutput(providerLog.toFile()).start();
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
            TokenCipher cipher = TestCiphers.forKeyring(env.get("GATEWAY_CRYPTO_KEYRING"));

            Path logA = Files.createTempFile("cache-replica-a", ".log");
            Path logB = Files.createTempFile("cache-replica-b", ".log");
            Process a = ProdConfig.launch(env, logA, 0);
            replicas.add(a);
            Process b = ProdConfig.launch(env, logB, 0);
            replicas.add(b);
            String urlA = ProdConfig.awaitListening(a, logA);
            String urlB = ProdConfig.awaitListening(b, logB);
            String mgmtB = ProdConfig.managementUrl(logB);
            awaitListener(db, a.pid());
            awaitListener(db, b.pid());

            long now = Instant.now().getEpochSecond();
            String caller = ProdConfig.callerJwt("svc-cache", "tokens:read", now, now + 3600, "\"partners\":[\"*\"]");
            String ops = ProdConfig.callerJwt("ops-cache", "ops", now, now + 3600, "");

            // 1. disconnects on A and re-authorization-required by another writer, never served by B after
            List<Long> delays = new ArrayList<>();
            int served = 0;
            for (int i = 0; i < CHANGES; i++) {
                String partner = insertGrant(db, cipher, "rt-unused-" + i, 3600);
                assertEquals(200, get(http, urlB + "/tokens/" + partner, caller).statusCode());
                assertEquals(200, get(http, urlB + "/tokens/" + partner, caller).statusCode()); // a hit
                boolean disconnect = i % 2 == 0;
                if (disconnect) {
                    HttpResponse<String> d = post(http, urlA + "/admin/partners/" + partner + "/grant/disconnect", ops);
                    assertEquals(200, d.statusCode(), d.body());
                } else {
                    update(db, "update partner_grant set state = 'REAUTH_REQUIRED', refresh_due_at = null "
                            + "where partner_id = ?", partner);
                }
                long committed = System.nanoTime();
                HttpResponse<String> r;
                while ((r = get(http, urlB + "/tokens/" + partner, caller)).statusCode() == 200) {
                    served++;
                    assertTrue(System.nanoTime() - committed < Duration.ofSeconds(5).toNanos(),
                            "replica B still serves partner " + partner + " 5 s after the change");
                }
                delays.add(Math.max(0, System.nanoTime() - committed));
                assertEquals(409, r.statusCode(), r.body());
                assertEquals(disconnect ? "REVOKED" : "REAUTH_REQUIRED", JSON.readTree(r.body()).get("grant_state").asText());
                for (int k = 0; k < 3; k++) { // and never again
                    assertEquals(409, get(http, urlB + "/tokens/" + partner, caller).statusCode());
                }
            }
            Collections.sort(delays);
            System.out.printf("[cache-replicas] %d changes: from the commit (A's answer) to replica B's first 409: "
                    + "p50 %.1f ms, p99 %.1f ms, max %.1f ms (each measured by polling B; %d tokens served by B inside "
                    + "that window)%n", CHANGES, ms(delays, 0.50), ms(delays, 0.99), delays.get(delays.size() - 1) / 1e6,
                    served);

            // 2. a refresh on A: B serves the new token
            String family = JSON.readTree(get(http, base + "/families?n=1", null).body()).get(0).asText();
            String refreshed = insertGrant(db, cipher, family, 30, 20); // 20 s left of 30
            String old = token(get(http, urlB + "/tokens/" + refreshed + "?min_valid=PT5S", caller));
            assertEquals(old, token(get(http, urlB + "/tokens/" + refreshed + "?min_valid=PT5S", caller)));
            String fresh = token(get(http, urlA + "/tokens/" + refreshed + "?min_valid=PT25S", caller));
            assertNotEquals(old, fresh, "A refreshed inline");
            long refreshedAt = System.nanoTime();
            String seen;
            while (!(seen = token(get(http, urlB + "/tokens/" + refreshed + "?min_valid=PT5S", caller))).equals(fresh)) {
                assertEquals(old, seen);
                assertTrue(System.nanoTime() - refreshedAt < Duration.ofSeconds(5).toNanos(), "B still serves the old token");
            }
            System.out.printf("[cache-replicas] B served A's refreshed token %.1f ms after A answered%n",
                    (System.nanoTime() - refreshedAt) / 1e6);

            // 3. B's listener dropped: B reads the database, then listens again
            String quiet = insertGrant(db, cipher, "rt-unused-quiet", 3600);
            get(http, urlB + "/tokens/" + quiet, caller);
            assertEquals(200, get(http, urlB + "/tokens/" + quiet, caller).statusCode());
            assertEquals(1, count(db, "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity "
                    + "where application_name = ?) t", GrantChangeListener.APPLICATION_NAME + " " + b.pid()));
            long dropped = System.nanoTime();
            while (metric(http, mgmtB, "gateway_tokens_cache_listening") != 0) {
                assertTrue(System.nanoTime() - dropped < Duration.ofSeconds(5).toNanos(), "B noticed the drop");
            }
            // a change nobody announces (triggers off for this session): B, not listening, reads it from the database
            try (Statement st = db.createStatement()) {
                st.execute("set session_replication_role = replica");
                update(db, "update partner_grant set state = 'REVOKED' where partner_id = ?", quiet);
                st.execute("set session_replication_role = origin");
            }
            assertEquals(409, get(http, urlB + "/tokens/" + quiet, caller).statusCode());
            awaitListener(db, b.pid());
            while (metric(http, mgmtB, "gateway_tokens_cache_listening") != 1) {
                assertTrue(System.nanoTime() - dropped < Duration.ofSeconds(15).toNanos(), "B listens again");
                Thread.sleep(20);
            }
            assertTrue(metric(http, mgmtB, "gateway_tokens_cache_flushes_total") >= 2, "B dropped its cache on return");
            assertEquals(409, get(http, urlB + "/tokens/" + quiet, caller).statusCode());
            assertTrue(metric(http, mgmtB, "gateway_tokens_cache_lookups_total{result=\"hit\"}") > 0);
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

    private static double ms(List<Long> sortedNanos, double q) {
        int i = (int) Math.ceil(q * sortedNanos.size()) - 1;
        return sortedNanos.get(Math.max(0, Math.min(i, sortedNanos.size() - 1))) / 1e6;
    }

    private static String token(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    private static void awaitListener(Connection db, long pid) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (count(db, "select count(*) from pg_stat_activity where application_name = ?",
                GrantChangeListener.APPLICATION_NAME + " " + pid) == 0) {
            assertTrue(System.nanoTime() < until, "replica " + pid + " never listened");
            Thread.sleep(20);
        }
    }

    /** One sample of a Prometheus metric (name with its labels, as printed), or -1 when absent. */
    private static double metric(HttpClient http, String mgmt, String name) throws Exception {
        for (String line : get(http, mgmt + "/q/metrics", null).body().split("\n")) {
            if (line.startsWith(name + " ") || (name.indexOf('{') < 0 && line.startsWith(name + "{"))) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static HttpResponse<String> get(HttpClient http, String url, String bearer) throws Exception {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            rb.header("Authorization", "Bearer " + bearer);
        }
        return http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> post(HttpClient http, String url, String bearer) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).POST(HttpRequest.BodyPublishers.noBody()).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String insertGrant(Connection db, TokenCipher cipher, String refreshToken, long lifetime)
            throws Exception {
        return insertGrant(db, cipher, refreshToken, lifetime, lifetime);
    }

    /** A partner and its ACTIVE grant, sealed with the replicas' keyring; the access token expires in {@code left} s. */
    private static String insertGrant(Connection db, TokenCipher cipher, String refreshToken, long lifetime, long left)
            throws Exception {
        // not due for the scheduler: only the test's own requests refresh
        return JarGrants.insertActive(db, cipher, "cache", refreshToken, Instant.now().plusSeconds(left), lifetime,
                Instant.now().plus(Duration.ofDays(1)));
    }
}
