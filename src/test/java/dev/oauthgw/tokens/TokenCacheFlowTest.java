package dev.oauthgw.tokens;

import static dev.oauthgw.tokens.CacheTestSupport.await;
import static dev.oauthgw.tokens.CacheTestSupport.connect;
import static dev.oauthgw.tokens.CacheTestSupport.terminateListener;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.GrantFactory.Made;
import dev.oauthgw.testing.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The token cache on one replica against the real database: hits are served on the event loop without reading
 * the database, every committed change evicts (the lifecycle's at once, anyone else's through the database's
 * announcement), a refresh serves the new token, and a dropped listener falls back to the database and recovers.
 * Changes here are made on connections of the test's own, never through {@code Db.update} (which drops the cache).
 */
@QuarkusTest
class TokenCacheFlowTest {

    /** Where each token was handed out: the event loop (a hit) or a worker (the database). */
    @ApplicationScoped
    static class ServedOn {
        final List<Boolean> eventLoop = new CopyOnWriteArrayList<>();

        void served(@Observes TokenServed s) {
            eventLoop.add(Context.isOnEventLoopThread());
        }

        boolean last() {
            return eventLoop.get(eventLoop.size() - 1);
        }
    }

    @Inject
    GrantFactory factory;
    @Inject
    TokenCache cache;
    @Inject
    ServedOn servedOn;
    @Inject
    TokenCipher cipher;
    @Inject
    SandboxCounters sandboxCounters;

    @AfterEach
    void listenerBack() {
        await(() -> cache.serving(), Duration.ofSeconds(10), "the listener is back");
    }

    private static Response get(String partner, String minValid) {
        var req = given().auth().oauth2(TestJwt.withRoles("svc-cache", TokensResource.ROLE));
        if (minValid != null) {
            req = req.queryParam("min_valid", minValid);
        }
        return req.get("/tokens/" + partner);
    }

    /** Runs the statement on a connection of the test's own; {@code quiet}: with the triggers off (no announcement). */
    private static int sql(boolean quiet, String statement, Object... args) throws SQLException {
        try (Connection c = connect()) {
            if (quiet) {
                try (Statement st = c.createStatement()) {
                    st.execute("set session_replication_role = replica"); // row triggers do not fire
                }
            }
            try (PreparedStatement ps = c.prepareStatement(statement)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                return ps.executeUpdate();
            }
        }
    }

    private static long version(String partner) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement("select version from partner_grant where partner_id = ?")) {
            ps.setString(1, partner);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getLong(1);
            }
        }
    }

    @Test
    void a_hit_is_served_on_the_event_loop_without_reading_the_database() throws Exception {
        Made m = factory.create("cache-hit");
        await(() -> cache.serving(), Duration.ofSeconds(10), "listening");
        Response first = get(m.partnerId(), null);
        first.then().statusCode(200);
        assertFalse(servedOn.last(), "a miss reads the database on a worker thread");
        long hits = cache.hits();
        Response second = get(m.partnerId(), null);
        second.then().statusCode(200);
        assertEquals(first.path("access_token").toString(), second.path("access_token").toString());
        assertEquals(hits + 1, cache.hits());
        assertTrue(servedOn.last(), "a hit is answered on the event loop");

        // the row changes behind the cache's back (no announcement): a hit does not see it, as it reads no database
        sql(true, "update partner_grant set scope = 'changed-quietly' where partner_id = ?", m.partnerId());
        assertEquals("Manage:Pax8Data offline_access", get(m.partnerId(), null).path("scope"));
        cache.forget(m.partnerId());
        assertEquals("changed-quietly", get(m.partnerId(), null).path("scope"));
    }

    @Test
    void a_disconnect_on_this_replica_evicts_before_it_answers() {
        Made m = factory.create("cache-disc");
        get(m.partnerId(), null).then().statusCode(200);
        get(m.partnerId(), null).then().statusCode(200); // cached
        given().auth().oauth2(TestJwt.ops()).post("/admin/partners/" + m.partnerId() + "/grant/disconnect").then()
                .statusCode(200);
        Response r = get(m.partnerId(), null);
        assertEquals(409, r.statusCode(), r.asString());
        assertEquals("REVOKED", r.path("grant_state"));
    }

    @Test
    void a_change_by_any_other_writer_is_announced_and_evicts() throws Exception {
        for (String state : List.of("REAUTH_REQUIRED", "REVOKED")) {
            Made m = factory.create("cache-ann");
            get(m.partnerId(), null).then().statusCode(200);
            get(m.partnerId(), null).then().statusCode(200);
            assertTrue(cache.get(m.partnerId()).isPresent(), "cached");
            long invalidations = cache.invalidations();
            // a plain SQL update: no lifecycle event in this process, only the trigger's announcement can evict
            sql(false, "update partner_grant set state = ? where partner_id = ?", state, m.partnerId());
            long committed = System.nanoTime();
            await(() -> cache.invalidations() > invalidations, Duration.ofSeconds(5), "announced");
            long ms = Duration.ofNanos(System.nanoTime() - committed).toMillis();
            Response r = get(m.partnerId(), null);
            assertEquals(409, r.statusCode(), state + ": " + r.asString());
            assertEquals(state, r.path("grant_state"));
            System.out.printf("announcement of %s reached the cache %d ms after the commit%n", state, ms);
        }
    }

    @Test
    void a_refresh_serves_the_new_token() {
        Made m = factory.create("cache-ref");
        String before = get(m.partnerId(), null).path("access_token");
        assertEquals(before, get(m.partnerId(), null).path("access_token"));
        given().auth().oauth2(TestJwt.ops()).post("/admin/partners/" + m.partnerId() + "/grant/refresh").then()
                .statusCode(200);
        String after = get(m.partnerId(), null).path("access_token");
        assertNotEquals(before, after);
        assertEquals(after, get(m.partnerId(), null).path("access_token"));
    }

    @Test
    void a_cached_token_below_the_minimum_takes_the_refresh_path() throws Exception {
        Made m = factory.create("cache-min");
        // the stored token has 2 minutes left, and that is what gets cached
        sql(false, "update partner_grant set access_expires_at = ? where partner_id = ?",
                Timestamp.from(Instant.now().plus(Duration.ofMinutes(2))), m.partnerId());
        long v = version(m.partnerId());
        await(() -> cache.get(m.partnerId()).map(CachedGrant::version).orElse(v) == v, Duration.ofSeconds(5),
                "the older version evicted");
        String cached = get(m.partnerId(), "PT1M").path("access_token");
        assertEquals(v, cache.get(m.partnerId()).orElseThrow().version(), "the 2-minute token is cached");
        assertEquals(cached, get(m.partnerId(), "PT1M").path("access_token"));
        long refreshes = sandboxCounters.refreshesForPartner(m.sandboxKey());
        Response r = get(m.partnerId(), null); // default minimum: 5 minutes
        r.then().statusCode(200);
        assertNotEquals(cached, r.path("access_token"));
        assertTrue(r.<Integer> path("expires_in") > 3600, r.asString());
        assertEquals(refreshes + 1, sandboxCounters.refreshesForPartner(m.sandboxKey()));
    }

    @Test
    void a_re_encryption_by_sql_moves_the_version_on_and_evicts() throws Exception {
        Made m = factory.create("cache-rekey");
        String token = get(m.partnerId(), null).path("access_token");
        get(m.partnerId(), null).then().statusCode(200);
        long v = cache.get(m.partnerId()).orElseThrow().version();
        // what key rotation does, by a writer that forgets the version: the trigger moves it on and announces it
        Sealed again = cipher.seal(token, GrantService.accessAd(m.grantId()));
        sql(false, "update partner_grant set access_token = ?, access_token_key_id = ? where partner_id = ?",
                again.ciphertext(), again.keyId(), m.partnerId());
        assertEquals(v + 1, version(m.partnerId()));
        await(() -> cache.get(m.partnerId()).isEmpty(), Duration.ofSeconds(5), "evicted");
        assertEquals(token, get(m.partnerId(), null).path("access_token"));
        assertEquals(v + 1, cache.get(m.partnerId()).orElseThrow().version());
        // an update of nothing served (the scheduler's due time) neither moves the version nor evicts
        sql(false, "update partner_grant set refresh_due_at = now() + interval '1 hour' where partner_id = ?",
                m.partnerId());
        assertEquals(v + 1, version(m.partnerId()));
    }

    @Test
    void a_dropped_listener_falls_back_to_the_database_and_recovers() throws Exception {
        Made m = factory.create("cache-drop");
        get(m.partnerId(), null).then().statusCode(200);
        get(m.partnerId(), null).then().statusCode(200);
        long flushes = cache.flushes();
        assertEquals(1, terminateListener(), "the listener's backend");
        await(() -> !cache.serving(), Duration.ofSeconds(5), "the cache stops serving");
        // while nobody listens, changes go unannounced: every read goes to the database, and nothing read is kept
        // (the listener waits listener-retry, 1 s, before it connects again)
        long bypassed = cache.bypassed();
        assertEquals("Manage:Pax8Data offline_access", get(m.partnerId(), null).path("scope"));
        sql(true, "update partner_grant set scope = 'while-deaf' where partner_id = ?", m.partnerId());
        Response r = get(m.partnerId(), null);
        assertEquals("while-deaf", r.path("scope"));
        assertTrue(cache.bypassed() >= bypassed + 2);
        assertFalse(cache.serving(), "still not listening: the reads above were made while deaf");
        await(() -> cache.serving(), Duration.ofSeconds(10), "listening again");
        assertTrue(cache.flushes() > flushes, "everything cached before was dropped");
        assertTrue(cache.get(m.partnerId()).isEmpty());
        assertEquals("while-deaf", get(m.partnerId(), null).path("scope"));
    }
}
