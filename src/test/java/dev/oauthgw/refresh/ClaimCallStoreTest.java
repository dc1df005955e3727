package dev.oauthgw.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.GrantFactory.Made;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Claim / call / store (ADR 0020): while the provider is called, nothing holds the grant's row lock or a transaction;
 * a refresh whose claim is taken over stores nothing; who finds another refresh's live claim waits for its result and
 * calls nothing.
 */
@QuarkusTest
class ClaimCallStoreTest {

    @Inject
    GrantRefresher refresher;
    @Inject
    TokenCipher cipher;
    @Inject
    SandboxFaults sandboxFaults;
    @Inject
    SandboxCounters sandboxCounters;
    @Inject
    GrantFactory factory;
    @Inject
    Db db;

    private final List<Made> made = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        sandboxFaults.reset();
        for (Made m : made) {
            db.update("update partner_grant set state = 'REVOKED', refresh_due_at = null where id = ?", m.grantId());
            db.update("delete from refresh_attempt where grant_id = ?", m.grantId());
        }
        made.clear();
    }

    private Made grant(String prefix) {
        Made m = factory.create(prefix);
        made.add(m);
        return m;
    }

    private CompletableFuture<GrantRefresher.Outcome> forcedInBackground(Made m) {
        return CompletableFuture.supplyAsync(() -> refresher.refresh(m.grantId(), g -> true,
                GrantRefresher.Trigger.FORCED, Duration.ofSeconds(5)));
    }

    @Test
    void while_the_provider_is_called_no_row_lock_and_no_transaction_is_held() throws Exception {
        Made m = grant("nolock");
        sandboxFaults.slowTokenEndpoint(Duration.ofMillis(1500));
        CompletableFuture<GrantRefresher.Outcome> refresh = forcedInBackground(m);
        await(() -> db.count("select count(*) from refresh_attempt where grant_id = ? and claim_id is not null",
                m.grantId()) == 1, "the refresh claimed the grant");
        assertTrue(!refresh.isDone(), "the provider is still answering");
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            // an operator's change could take the row at once: nobody holds it across the call
            c.createStatement().execute("select id from partner_grant where id = '" + m.grantId() + "' for update nowait");
            c.rollback();
        }
        assertEquals(0, db.count("select count(*) from pg_stat_activity where datname = current_database() "
                + "and state like 'idle in transaction%'"), "no transaction waits open for the provider's answer");
        GrantRefresher.Outcome o = refresh.get(30, TimeUnit.SECONDS);
        assertEquals(null, o.failure());
        assertEquals("ACTIVE", db.one("select state from partner_grant where id = ?", m.grantId()).get("state"));
        assertEquals(0, db.count("select count(*) from refresh_attempt where grant_id = ?", m.grantId()));
    }

    @Test
    void an_answer_whose_claim_was_taken_over_is_not_stored() throws Exception {
        Made m = grant("takeover");
        Map<String, Object> before = db.one("select access_token, refresh_token from partner_grant where id = ?",
                m.grantId());
        sandboxFaults.slowTokenEndpoint(Duration.ofMillis(1500));
        CompletableFuture<GrantRefresher.Outcome> refresh = forcedInBackground(m);
        await(() -> db.count("select count(*) from refresh_attempt where grant_id = ? and claim_id is not null",
                m.grantId()) == 1, "the refresh claimed the grant");
        UUID other = UUID.randomUUID(); // as if its lease had lapsed and another refresh had claimed the grant since
        db.update("update refresh_attempt set claim_id = ? where grant_id = ?", other, m.grantId());
        GrantRefresher.Outcome o = refresh.get(30, TimeUnit.SECONDS);
        assertTrue(o.calledProvider());
        Map<String, Object> after = db.one("select access_token, refresh_token from partner_grant where id = ?",
                m.grantId());
        assertTrue(java.util.Arrays.equals((byte[]) before.get("access_token"), (byte[]) after.get("access_token")),
                "the late answer did not replace the grant's tokens");
        assertEquals(1, db.count("select count(*) from refresh_attempt where grant_id = ? and claim_id = ? "
                + "and refresh_token is null", m.grantId(), other), "the other claim's row is untouched");
    }

    @Test
    void a_caller_that_finds_another_refresh_in_flight_waits_for_its_result_and_calls_nothing() throws Exception {
        Made m = grant("waiter");
        long calls = sandboxCounters.refreshesForPartner(m.sandboxKey());
        // another replica claimed the grant a moment ago and is calling the provider
        db.update("insert into refresh_attempt (grant_id, started_at, owner, trigger, claim_id) "
                + "values (?, now(), 'other-replica', 'INLINE', ?)", m.grantId(), UUID.randomUUID());
        db.update("update partner_grant set access_expires_at = now() + interval '30 seconds' where id = ?", m.grantId());
        CompletableFuture<GrantRefresher.Outcome> waiter = CompletableFuture.supplyAsync(
                () -> refresher.ensureValid(m.grantId(), Duration.ofMinutes(5), Duration.ofSeconds(10)));
        Thread.sleep(300); // the behaviour under test: it must still be waiting, not calling the provider
        assertTrue(!waiter.isDone(), "it waits for the other refresh");
        // the other replica stores its answer
        Sealed fresh = cipher.seal("at-from-the-other-replica", GrantService.accessAd(m.grantId()));
        db.update("update partner_grant set access_token = ?, access_token_key_id = ?, access_expires_at = ? where id = ?",
                fresh.ciphertext(), fresh.keyId(), Timestamp.from(Instant.now().plus(Duration.ofHours(1))), m.grantId());
        db.update("delete from refresh_attempt where grant_id = ?", m.grantId());
        GrantRefresher.Outcome o = waiter.get(30, TimeUnit.SECONDS);
        assertEquals("at-from-the-other-replica", o.snapshot().accessToken());
        assertTrue(!o.calledProvider());
        assertEquals(calls, sandboxCounters.refreshesForPartner(m.sandboxKey()), "the provider was not called");
    }

    @Test
    void a_caller_gives_up_with_busy_when_another_refresh_outlasts_its_wait() {
        Made m = grant("outlast");
        db.update("insert into refresh_attempt (grant_id, started_at, owner, trigger, claim_id) "
                + "values (?, now(), 'other-replica', 'INLINE', ?)", m.grantId(), UUID.randomUUID());
        long t0 = System.nanoTime();
        assertNotNull(org.junit.jupiter.api.Assertions.assertThrows(dev.oauthgw.grant.GrantLocking.Busy.class,
                () -> refresher.ensureValid(m.grantId(), Duration.ofDays(2), Duration.ofSeconds(1))));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 10_000, "bounded by its wait, not by the other refresh: " + ms + " ms");
        assertNotEquals(0, db.count("select count(*) from refresh_attempt where grant_id = ?", m.grantId()));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
