package dev.oauthgw.tokens;

import static dev.oauthgw.tokens.CacheTestSupport.await;
import static dev.oauthgw.tokens.CacheTestSupport.connect;
import static dev.oauthgw.tokens.CacheTestSupport.terminateListener;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.GrantFactory.Made;
import dev.oauthgw.testing.NotificationDroppingProxy;
import dev.oauthgw.testing.NotificationDroppingProxyResource;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.tokens.GrantChangeListener.Suspension;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The token cache serves only while its listener hears (docs/adr/0014-sealed-token-cache.md, "Heartbeat"), against
 * the real database, with the application's connections going through a {@link NotificationDroppingProxy} that can
 * drop every notification sent to the listener while its connection lives on (what a pooler in transaction mode or a
 * listener left on an old primary does): the cache stops serving within the heartbeat's bound, a change made
 * meanwhile is never served from the cache after that, and the cache serves again, emptied, once it hears again. An
 * {@link Error} in the listener's thread suspends it too; a TRUNCATE of partner_grant empties it; readiness and
 * metrics show the listener's state. Short intervals for the test: a heartbeat every second, a bound of 4 seconds.
 */
@QuarkusTest
@TestProfile(CacheHeartbeatTest.ShortHeartbeat.class)
class CacheHeartbeatTest {

    static final Duration EVERY = Duration.ofSeconds(1);
    static final Duration BOUND = Duration.ofSeconds(4);
    /** Room for a loaded machine on top of what the design promises. */
    static final Duration SLACK = Duration.ofSeconds(3);

    public static class ShortHeartbeat implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.tokens.cache.heartbeat-every", "PT" + EVERY.toSeconds() + "S",
                    "gateway.tokens.cache.heartbeat-timeout", BOUND.toString(),
                    "gateway.tokens.cache.listener-retry", "PT0.5S");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(NotificationDroppingProxyResource.class));
        }
    }

    /** A test hook: an observer of the heartbeat that throws on the listener's thread when armed. */
    @ApplicationScoped
    static class ListenerFaults {
        private volatile Error error;

        void arm(Error e) {
            error = e;
        }

        void disarm() {
            error = null;
        }

        void heard(@Observes CacheHeartbeatHeard h) {
            Error e = error;
            if (e != null) {
                throw e;
            }
        }
    }

    /** Stands for any Error (a LinkageError, a StackOverflowError, an assertion) on the listener's thread. */
    static final class SimulatedListenerError extends Error {
        SimulatedListenerError() {
            super("simulated in CacheHeartbeatTest");
        }
    }

    @Inject
    GrantFactory factory;
    @Inject
    TokenCache cache;
    @Inject
    GrantChangeListener listener;
    @Inject
    ListenerFaults faults;

    private NotificationDroppingProxy proxy;

    @BeforeEach
    void hearing() {
        proxy = NotificationDroppingProxyResource.proxy();
        await(cache::serving, BOUND.plus(SLACK), "the cache serves");
        assertTrue(proxy.listenerConnections() > 0, "the listener connects through the proxy");
    }

    @AfterEach
    void hearingAgain() {
        faults.disarm();
        proxy.drop(false);
        await(cache::serving, BOUND.plus(SLACK).plus(SLACK), "the cache serves again");
    }

    @Test
    void notifications_that_stop_arriving_on_a_live_connection_suspend_the_cache_within_the_bound() throws Exception {
        Made m = factory.create("hb-deaf");
        cached(m.partnerId());
        String token = get(m.partnerId()).path("access_token");
        long missed = listener.suspensions(Suspension.HEARTBEAT_MISSED);
        long dropped = proxy.dropped();

        proxy.drop(true);
        long from = System.nanoTime();
        // a change made meanwhile: the trigger announces it, and the announcement never reaches the listener
        assertEquals(1, sql("update partner_grant set state = 'REVOKED' where partner_id = ?", m.partnerId()));
        // the bound is counted from the newest heartbeat heard, sent at most one interval (plus its trip) before
        Duration within = BOUND.plus(EVERY).plus(SLACK);
        await(() -> !cache.serving(), within, "the cache is suspended");
        long ms = Duration.ofNanos(System.nanoTime() - from).toMillis();
        System.out.printf("notifications stopped arriving: the cache was suspended %d ms later (bound %d ms, "
                + "heartbeat every %d ms)%n", ms, BOUND.toMillis(), EVERY.toMillis());

        assertEquals(Suspension.HEARTBEAT_MISSED, listener.status().suspension().orElseThrow());
        assertEquals(missed + 1, listener.suspensions(Suspension.HEARTBEAT_MISSED));
        assertTrue(listener.listening(), "the listening connection lived on (select 1 answered) all along");
        assertTrue(proxy.dropped() > dropped, "notifications were dropped on the way to the listener");
        assertTrue(cache.get(m.partnerId()).isEmpty());

        // not served stale: the database answers
        Response r = get(m.partnerId());
        assertEquals(409, r.statusCode(), r.asString());
        assertEquals("REVOKED", r.path("grant_state"));

        JsonPath check = readinessCheck();
        assertEquals("UP", check.getString("status"), "suspended reads the database: still ready");
        assertEquals("heartbeat_missed", check.getString("data.suspended"));
        assertEquals(false, check.getBoolean("data.serving"));
        assertEquals(true, check.getBoolean("data.listening"));
        assertTrue(check.getLong("data.heartbeat_age_ms") > BOUND.toMillis(), check.prettify());
        assertTrue(check.getString("data.suspended_detail").contains("heartbeat"), check.prettify());
        assertNotEquals("never", check.getString("data.last_heartbeat_heard"));

        String metrics = metrics();
        assertEquals(1.0, sample(metrics, "gateway_tokens_cache_suspended", "reason=\"heartbeat_missed\""));
        assertEquals(0.0, sample(metrics, "gateway_tokens_cache_listening", null));
        assertEquals(1.0, sample(metrics, alertMetric("GatewayTokenCacheSuspended"), "reason=\"heartbeat_missed\""),
                "the alert rule's metric is the one the gateway writes");
        assertTrue(sample(metrics, alertMetric("GatewayTokenCacheFlapping"), "reason=\"heartbeat_missed\"") >= 1);

        // the notifications arrive again: the cache serves again, emptied first (the change's announcement is lost
        // for good, and the entry cached before it is gone with everything else)
        long flushes = cache.flushes();
        proxy.drop(false);
        long back = System.nanoTime();
        await(cache::serving, BOUND.plus(SLACK), "the cache serves again");
        System.out.printf("notifications arrive again: the cache served again %d ms later%n",
                Duration.ofNanos(System.nanoTime() - back).toMillis());
        assertTrue(cache.flushes() > flushes, "dropped everything before serving again");
        Response again = get(m.partnerId());
        assertEquals(409, again.statusCode(), again.asString());
        assertEquals("REVOKED", again.path("grant_state"));
        assertFalse(again.asString().contains(token));
    }

    @Test
    void a_listener_that_connects_again_and_hears_nothing_never_serves() throws Exception {
        Made m = factory.create("hb-reconnect");
        cached(m.partnerId());
        proxy.drop(true);
        // the listener's connection goes; its next one LISTENs and answers, and its heartbeats never come back
        assertEquals(1, terminateListener());
        await(() -> !cache.serving(), SLACK, "the cache is suspended at once");
        await(() -> listener.status().suspension().orElse(null) == Suspension.HEARTBEAT_MISSED && listener.listening(),
                Duration.ofMillis(500).plus(BOUND).plus(SLACK), "deaf on the new connection");
        assertFalse(cache.serving(), "never served on a connection that hears nothing");
        JsonPath check = readinessCheck();
        assertEquals("heartbeat_missed", check.getString("data.suspended"));
        assertEquals(true, check.getBoolean("data.listening"));
        assertEquals(-1L, check.getLong("data.heartbeat_age_ms"), check.prettify());
        assertTrue(check.getString("data.suspended_detail").contains("no heartbeat heard since the listener connected"),
                check.prettify());
        assertTrue(check.getInt("data.heartbeats_unheard") > 0, check.prettify());
        get(m.partnerId()).then().statusCode(200); // from the database
        assertTrue(cache.get(m.partnerId()).isEmpty());
    }

    @Test
    void an_error_in_the_listener_suspends_the_cache_until_the_listener_recovers() {
        Made m = factory.create("hb-err");
        cached(m.partnerId());
        long failed = listener.suspensions(Suspension.LISTENER_FAILED);

        faults.arm(new SimulatedListenerError()); // thrown on the listener's thread at the next heartbeat heard
        await(() -> !cache.serving(), EVERY.plus(SLACK), "the cache is suspended");
        assertEquals(Suspension.LISTENER_FAILED, listener.status().suspension().orElseThrow());
        assertEquals(failed + 1, listener.suspensions(Suspension.LISTENER_FAILED));
        assertTrue(cache.get(m.partnerId()).isEmpty());
        // while the Error recurs at every attempt, the cache stays suspended and says why
        JsonPath check = readinessCheck();
        assertEquals("listener_failed", check.getString("data.suspended"));
        assertTrue(check.getString("data.suspended_detail").contains(SimulatedListenerError.class.getName()),
                check.prettify());
        get(m.partnerId()).then().statusCode(200); // from the database
        assertFalse(cache.serving());

        faults.disarm();
        await(cache::serving, BOUND.plus(SLACK), "the listener recovered and the cache serves again");
        assertEquals(failed + 1, listener.suspensions(Suspension.LISTENER_FAILED), "one suspension while it recurred");
        cached(m.partnerId());
    }

    @Test
    void a_truncate_of_partner_grant_empties_every_cache() throws Exception {
        for (String statement : List.of("truncate partner_grant", "truncate partner cascade")) {
            Made a = factory.create("hb-trunc");
            Made b = factory.create("hb-trunc");
            cached(a.partnerId());
            cached(b.partnerId());
            long suspensions = totalSuspensions();
            long flushes = cache.flushes();

            sql(statement);
            // no row trigger fires for a TRUNCATE: only V15's statement trigger can tell the replicas
            await(() -> cache.flushes() > flushes, SLACK, statement + " announced");
            assertTrue(cache.serving());
            assertEquals(suspensions, totalSuspensions(), "emptied by the announcement, not by a suspension");
            assertEquals(0, cache.size(), statement);
            for (Made m : List.of(a, b)) {
                Response r = get(m.partnerId());
                assertEquals(404, r.statusCode(), statement + ": " + r.asString());
            }
        }
    }

    @Test
    void readiness_shows_the_listener_hearing_its_heartbeat() {
        JsonPath check = readinessCheck();
        assertEquals("UP", check.getString("status"));
        assertEquals(true, check.getBoolean("data.enabled"));
        assertEquals(true, check.getBoolean("data.serving"), check.prettify());
        assertEquals(true, check.getBoolean("data.listening"));
        assertEquals("no", check.getString("data.suspended"));
        assertEquals(listener.status().replicaId(), check.getString("data.replica"));
        assertEquals(BOUND.toMillis(), check.getLong("data.heartbeat_bound_ms"));
        long age = check.getLong("data.heartbeat_age_ms");
        assertTrue(age >= 0 && age <= BOUND.toMillis(), check.prettify());
        assertNotEquals("never", check.getString("data.last_heartbeat_heard"));
        assertTrue(check.getLong("data.heartbeat_round_trip_ms") >= 0);
        System.out.printf("heartbeat round trip (pool -> PostgreSQL -> proxy -> listener): %d ms%n",
                check.getLong("data.heartbeat_round_trip_ms"));
        String metrics = metrics();
        assertEquals(1.0, sample(metrics, "gateway_tokens_cache_listening", null));
        assertEquals(0.0, sample(metrics, "gateway_tokens_cache_suspended", "reason=\"heartbeat_missed\""));
        assertTrue(sample(metrics, "gateway_tokens_cache_heartbeat_round_trip_seconds_count", null) > 0);
        double heartbeatAge = sample(metrics, "gateway_tokens_cache_heartbeat_age_seconds", null);
        assertTrue(heartbeatAge >= 0 && heartbeatAge <= BOUND.toSeconds(), metrics);
    }

    // ---- helpers ----

    /** Waits until the partner's grant is in the cache (served twice: a miss that stores it, then a hit). */
    private void cached(String partnerId) {
        await(() -> {
            get(partnerId).then().statusCode(200);
            return cache.serving() && cache.get(partnerId).isPresent();
        }, BOUND.plus(SLACK), partnerId + " cached");
    }

    private long totalSuspensions() {
        return Arrays.stream(Suspension.values()).mapToLong(listener::suspensions).sum();
    }

    private static Response get(String partner) {
        return given().auth().oauth2(TestJwt.withRoles("svc-heartbeat", TokensResource.ROLE)).get("/tokens/" + partner);
    }

    private static JsonPath readinessCheck() {
        JsonPath ready = given().get("/q/health/ready").then().extract().jsonPath();
        List<Map<String, Object>> checks = ready.getList("checks");
        for (int i = 0; i < checks.size(); i++) {
            if (TokenCacheHealthCheck.NAME.equals(checks.get(i).get("name"))) {
                return new JsonPath(ready.prettify()).setRootPath("checks[" + i + "]");
            }
        }
        throw new AssertionError("no readiness check " + TokenCacheHealthCheck.NAME + ": " + ready.prettify());
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the sample of {@code name} whose labels contain {@code label} (any labels when null). */
    private static double sample(String metrics, String name, String label) {
        Pattern p = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = p.matcher(metrics);
        while (m.find()) {
            if (label == null || (m.group(1) != null && m.group(1).contains(label))) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no sample " + name + (label == null ? "" : "{" + label + "}") + " in /q/metrics");
    }

    /** The one gateway metric the named rule of deploy/prometheus/alerts.yml queries. */
    private static String alertMetric(String alert) throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of("deploy", "prometheus",
                "alerts.yml")));
        List<String> names = new ArrayList<>();
        for (JsonNode g : rules.get("groups")) {
            for (JsonNode r : g.get("rules")) {
                if (alert.equals(r.path("alert").asText())) {
                    Matcher m = Pattern.compile("\\b(gateway_[a-z0-9_]+)").matcher(r.get("expr").asText());
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        assertEquals(1, names.stream().distinct().count(), alert + " in alerts.yml: " + names);
        return names.get(0);
    }

    /** On a connection of the test's own, triggers on: the change is announced as any writer's would be. */
    private static int sql(String statement, Object... args) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }
}
