package dev.oauthgw.prod;

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
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.oauthgw.crypto.TestCiphers;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.testing.PackagedJarTest;

/**
 * A token endpoint that stalls mid-answer (200, a Content-Length, a few bytes, then silence on a connection that
 * stays open, as behind a stuck load balancer) for 45 s and then serves again (issue 18). Before, the replica's
 * scheduler waited on the first stalled answer for ever: no further scheduled refresh until a restart, and /tokens
 * callers hung too. Now every call ends at the registration's request timeout, so during the stall the gateway keeps
 * answering (/tokens for a partner with a valid token at once; for one that needs a refresh, a 503 with Retry-After
 * within its wait), the scheduler keeps trying (with backoff), and once the provider serves again every grant is
 * refreshed within about one request timeout, one tick and the backoff, with no grant lost and no restart.
 */
@PackagedJarTest
class StallingProviderIT {

    private static final Duration STALL = Duration.ofSeconds(45);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    @Test
    void a_provider_that_stalls_mid_answer_then_recovers_costs_no_grant_and_no_restart() throws Exception {
        Map<String, String> env = ProdConfig.env();
        Process app = null;
        try (RotatingProvider provider = new RotatingProvider(0, 3600, Duration.ZERO, Duration.ZERO);
                RotatingProvider calmProvider = new RotatingProvider(0, 3600, Duration.ZERO, Duration.ZERO);
                Connection db = DriverManager.getConnection(env.get("QUARKUS_DATASOURCE_JDBC_URL"),
                        env.get("QUARKUS_DATASOURCE_USERNAME"), env.get("QUARKUS_DATASOURCE_PASSWORD"))) {
            env.put("GATEWAY_PROVIDER_REQUIRE_HTTPS", "false");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_TOKEN_URL", provider.tokenUrl());
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_REQUEST_TIMEOUT", "PT" + REQUEST_TIMEOUT.toSeconds() + "S");
            env.put("GATEWAY_REFRESH_TICK", "1s");
            env.put("GATEWAY_REFRESH_BACKOFF_INITIAL", "PT2S");
            env.put("GATEWAY_REFRESH_BACKOFF_MAX", "PT5S");
            // a second registration with a provider of its own that never stalls
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_CALM_AUTHORIZE_URL", "http://127.0.0.1:1/authorize");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_CALM_TOKEN_URL", calmProvider.tokenUrl());
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_CALM_REDIRECT_URI", "https://gateway.example.test/onboarding/callback");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_CALM_CLIENT_ID", "calm-client");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_CALM_CLIENT_SECRET", "calm-secret-" + ProdConfig.randomKey());
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_CALM_REQUEST_TIMEOUT", "PT" + REQUEST_TIMEOUT.toSeconds() + "S");
            TokenCipher cipher = TestCiphers.forKeyring(env.get("GATEWAY_CRYPTO_KEYRING"));
            ProdConfig.migrate(env); // the grants are written before the jar starts, into a database of the test's own

            provider.stallMidAnswer(true);
            List<String> due = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                due.add(JarGrants.insertActive(db, cipher, "stall", provider.newFamily(), Instant.now().plusSeconds(150),
                        3600, Instant.now()));
            }
            String healthy = JarGrants.insertActive(db, cipher, "calm", provider.newFamily(),
                    Instant.now().plus(Duration.ofHours(1)), 3600, Instant.now().plus(Duration.ofHours(1)));

            List<String> other = new ArrayList<>();
            for (int i = 0; i < 3; i++) { // come due one after another while the other registration's provider stalls
                String partner = JarGrants.insertActive(db, cipher, "other", calmProvider.newFamily(),
                        Instant.now().plus(Duration.ofHours(1)), 3600, Instant.now().plus(Duration.ofHours(1)));
                JarGrants.update(db, "update partner_grant set registration = 'calm' where partner_id = ?", partner);
                other.add(partner);
            }

            Path log = Files.createTempFile("stalling-provider", ".log");
            app = ProdConfig.launch(env, log, 0);
            String url = ProdConfig.awaitListening(app, log);
            long now = Instant.now().getEpochSecond();
            String caller = ProdConfig.callerJwt("svc-stall", "tokens:read", now, now + 3600, "\"partners\":[\"*\"]");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

            long stallStart = System.nanoTime();
            await(Duration.ofSeconds(20), () -> provider.stalled.get() >= 4, "the scheduler met the stall", log);
            // while the provider stalls, the gateway answers
            long t0 = System.nanoTime();
            HttpResponse<String> calm = get(http, url + "/tokens/" + healthy, caller);
            long calmMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(200, calm.statusCode(), calm.body());
            t0 = System.nanoTime();
            HttpResponse<String> needsRefresh = get(http, url + "/tokens/" + due.get(0), caller);
            long refreshMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(503, needsRefresh.statusCode(), needsRefresh.body());
            assertTrue(needsRefresh.headers().firstValue("Retry-After").isPresent());
            // the other registration's grants come due during the stall and are refreshed as usual
            long worstLateMs = 0;
            for (int i = 0; i < other.size(); i++) {
                int done = i;
                JarGrants.update(db, "update partner_grant set refresh_due_at = now() where partner_id = ?", other.get(i));
                long dueAt = System.nanoTime();
                await(Duration.ofSeconds(20), () -> calmProvider.refreshes.get() > done,
                        "the other registration's grant was refreshed during the stall", log);
                worstLateMs = Math.max(worstLateMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dueAt));
            }
            assertTrue(worstLateMs < REQUEST_TIMEOUT.toMillis() + 6_000, "another registration's refreshes wait at most "
                    + "about one request timeout and a tick for the stalled one: " + worstLateMs + " ms");
            int stalledBefore = provider.stalled.get();
            await(Duration.ofSeconds(30), () -> provider.stalled.get() >= stalledBefore + 4,
                    "the scheduler kept trying while the provider stalled (it is not stuck on the first answer)", log);
            long left = STALL.toNanos() - (System.nanoTime() - stallStart);
            if (left > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left)); // the behaviour under test: a 45-second stall
            }

            provider.stallMidAnswer(false);
            long recovered = System.nanoTime();
            await(Duration.ofSeconds(30), () -> JarGrants.count(db, "select count(*) from partner_grant where "
                    + "partner_id like 'stall-%' and state = 'ACTIVE' and access_expires_at > now() + interval '30 minutes'")
                    == due.size(), "every grant was refreshed after the provider recovered", log);
            long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recovered);
            System.out.printf("[stalling-provider] during a %d s mid-answer stall: /tokens (valid token) %d ms, /tokens "
                    + "(needs a refresh) 503 in %d ms, %d stalled calls; after recovery every grant refreshed in %d ms "
                    + "(request timeout %d s, tick 1 s, backoff max 5 s); the other registration's grants refreshed "
                    + "at most %d ms after coming due during the stall%n", STALL.toSeconds(), calmMs, refreshMs,
                    provider.stalled.get(), resumedMs, REQUEST_TIMEOUT.toSeconds(), worstLateMs);
            assertEquals(0, provider.reuses.get(), "no refresh token presented twice: no grant lost");
            assertTrue(app.isAlive(), "no restart");
            assertEquals(200, get(http, url + "/tokens/" + due.get(0), caller).statusCode());
            assertEquals(0, JarGrants.count(db, "select count(*) from refresh_attempt"), "no claim left behind");
            String logs = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(!logs.contains("rt-"), "no refresh token in the log");
        } finally {
            if (app != null) {
                app.destroy();
                app.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url, String jwt) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(40))
                .header("Authorization", "Bearer " + jwt).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Duration max, Check condition, String what, Path log) throws Exception {
        long until = System.nanoTime() + max.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out waiting until " + what + ":\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            Thread.sleep(100);
        }
    }
}
