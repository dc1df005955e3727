package dev.oauthgw.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.provider.TokenClient;
import dev.oauthgw.provider.TokenResponse;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.sandbox.faults.SandboxFaults.OddAnswer;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.GrantFactory.Made;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * A refresh token the provider has rotated is never lost (Auth0 kills the grant when the old one comes back): not
 * when the rest of the answer is unusable, not when the answer cannot be stored, not when the process that
 * refreshed is gone. The sandbox detects reuse the way Auth0 does; every test ends with "no reuse".
 */
@QuarkusTest
class RotatedRefreshTokenTest {

    @Inject
    GrantRefresher refresher;
    @Inject
    RefreshScheduler scheduler;
    @Inject
    TokenClient tokens;
    @Inject
    ProviderRegistry providers;
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
        db.update("drop trigger if exists fail_refreshed_audit on audit_event");
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

    private Map<String, Object> row(Made m) {
        return db.one("select * from partner_grant where id = ?", m.grantId());
    }

    private String storedRefreshToken(Made m) {
        Map<String, Object> r = row(m);
        return cipher.open(new Sealed((byte[]) r.get("refresh_token"), (Integer) r.get("refresh_token_key_id")),
                GrantService.refreshAd(m.grantId()));
    }

    private GrantRefresher.Outcome forced(Made m) {
        return refresher.refresh(m.grantId(), g -> true, GrantRefresher.Trigger.FORCED, Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @EnumSource(OddAnswer.class)
    void an_unusable_answer_keeps_its_new_refresh_token_and_the_grant_goes_failing_with_the_reason(OddAnswer odd) {
        Made m = grant("odd");
        String before = storedRefreshToken(m);
        long reuse = sandboxCounters.reuseDetections();
        sandboxFaults.oddAnswers(odd, 1);
        GrantRefresher.Outcome o = forced(m);
        assertNotNull(o.failure(), "the answer is unusable");
        assertEquals("MALFORMED_RESPONSE", o.failure().kind().name());
        Map<String, Object> r = row(m);
        assertEquals("REFRESH_FAILING", r.get("state"));
        assertEquals("MALFORMED_RESPONSE", r.get("last_refresh_outcome"));
        assertTrue(((String) r.get("last_error")).contains("answered 2xx with"), (String) r.get("last_error"));
        assertNotEquals(before, storedRefreshToken(m), "the rotated refresh token replaced the dead one");
        assertEquals(0, db.count("select count(*) from refresh_attempt where grant_id = ?", m.grantId()));
        // the next attempt presents the kept token: accepted, no reuse
        GrantRefresher.Outcome next = forced(m);
        assertEquals(null, next.failure());
        assertEquals("ACTIVE", row(m).get("state"));
        assertEquals(reuse, sandboxCounters.reuseDetections(), "no refresh token presented twice");
        assertEquals(2, sandboxCounters.refreshesForPartner(m.sandboxKey()));
    }

    @Test
    void an_answer_that_cannot_be_stored_is_recovered_at_once() {
        Made m = grant("nostore");
        long reuse = sandboxCounters.reuseDetections();
        // storing the answer fails at commit (its audit record is refused), after the provider rotated the token
        db.update("create or replace function fail_refreshed_audit() returns trigger language plpgsql as "
                + "$$ begin raise exception 'simulated commit failure'; end $$");
        db.update("create trigger fail_refreshed_audit before insert on audit_event for each row when "
                + "(new.action = 'GRANT_REFRESHED' and new.grant_id = '" + m.grantId() + "') "
                + "execute function fail_refreshed_audit()");
        assertThrows(RuntimeException.class, () -> forced(m));
        db.update("drop trigger fail_refreshed_audit on audit_event");
        assertEquals(1, db.count("select count(*) from audit_event where grant_id = ? and action = 'REFRESH_ANSWER_RECOVERED'",
                m.grantId()), "recovered in the same call, not at the next tick");
        assertEquals(0, db.count("select count(*) from refresh_attempt where grant_id = ?", m.grantId()));
        assertEquals(null, forced(m).failure());
        assertEquals(reuse, sandboxCounters.reuseDetections(), "no refresh token presented twice");
    }

    /** What a process killed right after keeping the provider's answer leaves behind. */
    private String killedAfterTheAnswerWasKept(Made m, boolean kept) {
        String old = storedRefreshToken(m);
        TokenResponse answer = tokens.refresh(providers.get("pax8"), old); // the provider rotates
        String rotated = answer.refreshToken().orElseThrow();
        Sealed sealed = cipher.seal(rotated, GrantService.refreshAd(m.grantId()));
        db.update("insert into refresh_attempt (grant_id, started_at, owner, trigger, presented_sha256, refresh_token, "
                + "refresh_token_key_id, answered_at) values (?, now(), 'killed-replica', 'INLINE', ?, ?, ?, now())",
                m.grantId(), RefreshAttempts.sha256(old), kept ? sealed.ciphertext() : null,
                kept ? sealed.keyId() : null);
        return rotated;
    }

    @Test
    void after_a_replica_died_holding_the_answer_the_next_refresh_anywhere_uses_the_new_refresh_token() {
        Made m = grant("killed");
        long reuse = sandboxCounters.reuseDetections();
        String rotated = killedAfterTheAnswerWasKept(m, true);
        // the next inline refresh (another replica, or this one after a restart) finds the abandoned attempt
        GrantRefresher.Outcome o = refresher.ensureValid(m.grantId(), Duration.ofDays(2), Duration.ofSeconds(5));
        assertEquals(null, o.failure());
        assertTrue(o.calledProvider());
        assertEquals("ACTIVE", row(m).get("state"));
        assertEquals(reuse, sandboxCounters.reuseDetections(), "the provider saw no reuse");
        assertNotEquals(rotated, storedRefreshToken(m), "refreshed with the kept token, which rotated again");
        assertEquals(1, db.count("select count(*) from audit_event where grant_id = ? and action = 'REFRESH_ANSWER_RECOVERED'",
                m.grantId()));
        assertEquals(0, db.count("select count(*) from refresh_attempt where grant_id = ?", m.grantId()));
    }

    @Test
    void an_answer_lost_before_it_was_kept_is_recorded_retried_once_and_flagged_when_the_provider_refuses() {
        Made m = grant("lostbefore");
        killedAfterTheAnswerWasKept(m, false); // the provider rotated, nothing was kept
        GrantRefresher.Outcome o = refresher.ensureValid(m.grantId(), Duration.ofDays(2), Duration.ofSeconds(5));
        assertNotNull(o.failure(), "the old refresh token is dead at the provider");
        Map<String, Object> r = row(m);
        assertEquals("REAUTH_REQUIRED", r.get("state"));
        assertTrue(((String) r.get("last_error")).contains("lost refresh answer"), (String) r.get("last_error"));
        assertEquals(1, db.count("select count(*) from audit_event where grant_id = ? and action = 'REFRESH_ANSWER_LOST'",
                m.grantId()), "the lost answer is on record");
        assertEquals(1, db.count("select count(*) from webhook_event where grant_id = ? and type = 'REAUTH_REQUIRED'",
                m.grantId()), "operators are told");
    }

    @Test
    void an_abandoned_attempt_of_an_older_consent_is_dropped_not_adopted() {
        Made m = grant("obsolete");
        String current = storedRefreshToken(m);
        Sealed stale = cipher.seal("a-token-of-an-older-consent", GrantService.refreshAd(m.grantId()));
        db.update("insert into refresh_attempt (grant_id, started_at, owner, trigger, presented_sha256, refresh_token, "
                + "refresh_token_key_id, answered_at) values (?, now(), 'old-replica', 'INLINE', ?, ?, ?, now())",
                m.grantId(), RefreshAttempts.sha256("the-token-of-that-consent"), stale.ciphertext(), stale.keyId());
        assertEquals(GrantRefresher.Resolution.OBSOLETE,
                refresher.resolveAbandoned(m.grantId(), Duration.ofSeconds(5), null));
        assertEquals(current, storedRefreshToken(m));
        assertEquals(null, forced(m).failure());
    }

    @Test
    void an_abandoned_attempt_is_never_overwritten_by_the_next_one() {
        Made m = grant("nooverwrite");
        UUID id = m.grantId();
        killedAfterTheAnswerWasKept(m, true);
        byte[] kept = (byte[]) db.one("select refresh_token from refresh_attempt where grant_id = ?", id)
                .get("refresh_token");
        RefreshAttempts.Pending e = assertThrows(RefreshAttempts.Pending.class,
                () -> io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> attempts.claim(id,
                        UUID.randomUUID(), java.time.Instant.now(), "me", "INLINE", "whatever")));
        assertNotNull(e.getMessage());
        assertTrue(java.util.Arrays.equals(kept, (byte[]) db.one("select refresh_token from refresh_attempt "
                + "where grant_id = ?", id).get("refresh_token")));
    }

    @Inject
    RefreshAttempts attempts;
}
