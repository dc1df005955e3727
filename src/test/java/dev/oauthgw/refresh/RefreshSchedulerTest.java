package dev.oauthgw.refresh;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.audit.AuditService;
import dev.oauthgw.grant.Grant;
import dev.oauthgw.sandbox.authserver.SandboxTokenPolicy;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.GrantFactory.Made;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.tokens.TokensResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * The scheduled refresher against the sandbox: before expiry and never after, exactly once per cycle
 * with two schedulers and /tokens load on one database, failures, budget, incidents, lost answers.
 */
@QuarkusTest
class RefreshSchedulerTest {

    @Inject
    RefreshScheduler scheduler;
    @Inject
    GrantRefresher refresher;
    @Inject
    ProviderIncidents incidents;
    @Inject
    @org.eclipse.microprofile.health.Readiness
    ProviderIncidentHealthCheck health;
    @Inject
    RateBudget budget;
    @Inject
    AuditService audit;
    @Inject
    RefreshAttempts attempts;
    @Inject
    RefreshConfig config;
    @Inject
    EntityManager em;
    @Inject
    Clock clock;
    @Inject
    SandboxTokenPolicy sandboxTokenPolicy;
    @Inject
    SandboxFaults sandboxFaults;
    @Inject
    SandboxCounters sandboxCounters;
    @Inject
    GrantFactory factory;
    @Inject
    Db db;
    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;
    @Inject
    dev.oauthgw.ops.admin.GrantQueryService grantQueries;
    @Inject
    dev.oauthgw.provider.ProviderRegistry providers;
    @Inject
    dev.oauthgw.grant.GrantLifecycle lifecycle;
    @Inject
    dev.oauthgw.crypto.TokenCipher cipher;

    private final List<Made> made = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        sandboxFaults.reset();
        sandboxTokenPolicy.overrideTokenLifetime(null);
        sandboxTokenPolicy.reportRefreshTokenExpiry(false);
        sandboxTokenPolicy.rotateRefreshTokens(true);
        budget.overrideLimit(null);
        db.update("delete from provider_rate_budget");
        db.update("delete from provider_incident");
        db.update("drop trigger if exists fail_grant_update on partner_grant");
        // this class's grants must not come due in other tests' ticks
        for (Made m : made) {
            db.update("update partner_grant set state = 'REVOKED', refresh_due_at = null where id = ?", m.grantId());
        }
        made.clear();
    }

    private List<Made> grants(String prefix, int n) {
        List<Made> list = factory.create(prefix, n);
        made.addAll(list);
        return list;
    }

    private void dueNow(List<Made> list) {
        for (Made m : list) {
            db.update("update partner_grant set refresh_due_at = now() - interval '1 second' where id = ?", m.grantId());
        }
    }

    private Map<String, Object> row(Made m) {
        return db.one("select * from partner_grant where id = ?", m.grantId());
    }

    private long refreshes(Made m) {
        return sandboxCounters.refreshesForPartner(m.sandboxKey());
    }

    @Test
    void a_grant_is_refreshed_before_it_expires_never_after_and_again_next_cycle() throws Exception {
        sandboxTokenPolicy.overrideTokenLifetime(Duration.ofSeconds(6));
        Made m = grants("cycle", 1).get(0);
        Instant expiry = ((Timestamp) row(m).get("access_expires_at")).toInstant();
        Instant due = ((Timestamp) row(m).get("refresh_due_at")).toInstant();
        assertTrue(due.isBefore(expiry.minusSeconds(1)), "due a third of the lifetime before expiry");

        scheduler.tick();
        assertEquals(0, refreshes(m), "not refreshed before it is due");

        List<Instant> refreshedAt = new ArrayList<>();
        long seen = 0;
        Instant deadline = Instant.now().plusSeconds(13);
        while (Instant.now().isBefore(deadline) && refreshedAt.size() < 2) {
            Instant currentExpiry = ((Timestamp) row(m).get("access_expires_at")).toInstant();
            Instant currentDue = ((Timestamp) row(m).get("refresh_due_at")).toInstant();
            scheduler.tick();
            if (refreshes(m) > seen) {
                seen = refreshes(m);
                Instant at = Instant.now();
                refreshedAt.add(at);
                assertFalse(at.isBefore(currentDue), "never before it is due");
                assertTrue(at.isBefore(currentExpiry), "refreshed before the token expired");
            }
            Thread.sleep(150);
        }
        assertEquals(2, refreshedAt.size(), "refreshed in two consecutive cycles");
        assertEquals("ACTIVE", row(m).get("state"));
    }

    @Test
    void two_schedulers_with_tokens_load_refresh_each_of_500_grants_exactly_once() throws Exception {
        List<Made> list = grants("pair", 500);
        budget.overrideLimit(100_000);
        dueNow(list);
        // a fifth of them are also inside the /tokens margin, so callers refresh inline at the same time
        List<Made> hot = list.subList(0, 100);
        for (Made m : hot) {
            db.update("update partner_grant set access_expires_at = now() + interval '2 minutes' where id = ?",
                    m.grantId());
        }
        long reuseBefore = sandboxCounters.reuseDetections();
        RefreshScheduler second = new RefreshScheduler(em, refresher, incidents, budget, attempts, providers, lifecycle, cipher,
                config, clock);
        second.start(null);
        ExecutorService pool = Executors.newFixedThreadPool(10);
        AtomicBoolean load = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        try {
            String jwt = TestJwt.withRoles("svc-load", TokensResource.ROLE);
            List<Future<?>> loaders = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t;
                loaders.add(pool.submit(() -> {
                    int i = offset;
                    while (load.get()) {
                        Response r = given().auth().oauth2(jwt).get("/tokens/" + hot.get(i % hot.size()).partnerId());
                        if (r.statusCode() == 200) {
                            served.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                        i += 8;
                    }
                }));
            }
            Future<RefreshScheduler.TickReport> a = pool.submit(scheduler::tick);
            Future<RefreshScheduler.TickReport> b = pool.submit(second::tick);
            RefreshScheduler.TickReport ra = a.get();
            RefreshScheduler.TickReport rb = b.get();
            load.set(false);
            for (Future<?> f : loaders) {
                f.get();
            }
            assertEquals(0, ra.failed() + rb.failed(), "no failures: " + ra + " " + rb);
        } finally {
            load.set(false);
            pool.shutdownNow();
            second.stop(null);
        }
        assertEquals(0, errors.get(), "every /tokens call was served");
        assertTrue(served.get() > 0);
        for (Made m : list) {
            assertEquals(1, refreshes(m), "grant " + m.partnerId() + " refreshed exactly once");
            assertEquals("ACTIVE", row(m).get("state"));
        }
        assertEquals(reuseBefore, sandboxCounters.reuseDetections(), "no refresh token was presented twice");
    }

    @Test
    void a_provider_outage_moves_nothing_to_reauth_keeps_the_budget_and_everything_recovers() {
        List<Made> list = grants("outage", 20);
        budget.overrideLimit(10); // the scheduler may use 8 calls a minute
        int schedulerShare = (int) Math.floor(10 * config.schedulerBudgetShare());
        // start from a fresh minute's budget for this registration
        db.update("delete from provider_rate_budget");
        dueNow(list);
        sandboxFaults.failTokenEndpoint(503, SandboxFaults.UNTIL_CLEARED);
        long calls = sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN);
        RefreshScheduler.TickReport r = scheduler.tick();
        long used = sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN) - calls;
        assertTrue(used <= schedulerShare, "at most the scheduler's share of the budget: " + used);
        assertTrue(r.heldBack() > 0, "the rest waits for the next minute: " + r);
        int budgetRow = budget.usedThisMinute("pax8");
        assertTrue(budgetRow <= 10, "the cluster budget row never passes the limit: " + budgetRow);
        for (Made m : list) {
            assertFalse("REAUTH_REQUIRED".equals(row(m).get("state")), "an outage never kills a grant");
        }
        long failing = list.stream().filter(m -> "REFRESH_FAILING".equals(row(m).get("state"))).count();
        assertEquals(used, failing, "every grant that was tried is REFRESH_FAILING");

        sandboxFaults.reset();
        budget.overrideLimit(100_000);
        dueNow(list);
        scheduler.tick();
        for (Made m : list) {
            assertEquals("ACTIVE", row(m).get("state"), "recovered");
            assertEquals(0, row(m).get("refresh_failures"));
        }
        Made tried = list.stream().filter(m -> db.count("select count(*) from webhook_event where grant_id = ? "
                + "and type = 'REFRESH_FAILING'", m.grantId()) == 1).findFirst().orElseThrow();
        assertEquals(1, db.count("select count(*) from webhook_event where grant_id = ? and type = 'RECOVERED'",
                tried.grantId()), "failing and recovered are both announced");
    }

    @Test
    void invalid_grant_moves_to_reauth_required_and_stops_calls() {
        Made m = grants("dead", 1).get(0);
        sandboxFaults.invalidGrantForPartner(m.sandboxKey());
        dueNow(List.of(m));
        scheduler.tick();
        assertEquals("REAUTH_REQUIRED", row(m).get("state"));
        assertEquals(null, row(m).get("refresh_due_at"));
        long calls = sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN);
        db.update("update partner_grant set refresh_due_at = now() where id = ?", m.grantId()); // even if due
        scheduler.tick();
        assertEquals(calls, sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN), "no further provider calls");
        assertTrue(db.query("select detail::text as d from audit_event where grant_id = ? and action = 'REFRESH_FAILED'",
                m.grantId()).toString().contains("REAUTH_REQUIRED"));
        assertEquals(1, db.count("select count(*) from webhook_event where grant_id = ? and type = 'REAUTH_REQUIRED'",
                m.grantId()), "a webhook event announces it");
    }

    @Test
    void racing_refreshers_call_the_provider_once_and_the_loser_sees_the_winners_token() throws Exception {
        Made m = grants("race", 1).get(0);
        dueNow(List.of(m));
        sandboxFaults.slowTokenEndpoint(Duration.ofMillis(300));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<GrantRefresher.Outcome> a = pool.submit(() -> refresher.refresh(m.grantId(),
                    g -> !g.refreshDueAt.isAfter(Instant.now()), GrantRefresher.Trigger.SCHEDULED, Duration.ofSeconds(5)));
            Future<GrantRefresher.Outcome> b = pool.submit(() -> refresher.refresh(m.grantId(),
                    g -> !g.refreshDueAt.isAfter(Instant.now()), GrantRefresher.Trigger.SCHEDULED, Duration.ofSeconds(5)));
            GrantRefresher.Outcome oa = a.get();
            GrantRefresher.Outcome ob = b.get();
            assertEquals(1, (oa.calledProvider() ? 1 : 0) + (ob.calledProvider() ? 1 : 0), "one call to the provider");
            assertEquals(oa.snapshot().accessToken(), ob.snapshot().accessToken(), "the loser serves the winner's token");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, refreshes(m));
        assertEquals("ACTIVE", row(m).get("state"));
    }

    @Test
    void a_rejected_client_is_a_global_incident_not_a_reauthorization() {
        List<Made> list = grants("incident", 3);
        dueNow(list);
        sandboxFaults.rejectClient("gateway-sandbox");
        scheduler.tick();
        assertTrue(incidents.active("pax8").isPresent());
        long incidentEvents = db.count("select count(*) from webhook_event where type = 'GLOBAL_INCIDENT'");
        assertTrue(incidentEvents >= 1, "the incident is announced");
        for (Made m : list) {
            assertEquals("ACTIVE", row(m).get("state"), "not the grant's fault");
        }
        var readiness = health.call();
        assertEquals(1L, ((Number) readiness.getData().orElseThrow().get("incidents")).longValue());
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("gateway_global_incident 1.0"));
        // paused: the next tick calls nothing (the probe is not due yet)
        dueNow(list);
        long calls = sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN);
        scheduler.tick();
        assertEquals(calls, sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN), "refreshes are paused");
        // the credentials are fixed; the probe interval passes; one probe succeeds and resolves it
        sandboxFaults.reset();
        db.update("update provider_incident set last_probe_at = now() - interval '1 hour'");
        scheduler.tick();
        assertTrue(incidents.active("pax8").isEmpty(), "resolved by a successful probe");
        assertTrue(db.count("select count(*) from webhook_event where type = 'GLOBAL_INCIDENT_RESOLVED'") >= 1);
        scheduler.tick();
        for (Made m : list) {
            assertEquals(1, refreshes(m));
        }
    }

    @Test
    void a_refresh_whose_answer_could_not_be_stored_keeps_the_new_refresh_token_and_the_grant_adopts_it() {
        Made m = grants("lost", 1).get(0);
        dueNow(List.of(m));
        long reuse = sandboxCounters.reuseDetections();
        // every write of the grant fails after the provider answered (and rotated the refresh token)
        db.update("create or replace function fail_grant_update() returns trigger language plpgsql as "
                + "$$ begin raise exception 'simulated commit failure'; end $$");
        db.update("create trigger fail_grant_update before update on partner_grant for each row when (old.id = '"
                + m.grantId() + "') execute function fail_grant_update()");
        assertThrows(RuntimeException.class, () -> refresher.refresh(m.grantId(), g -> true,
                GrantRefresher.Trigger.SCHEDULED, Duration.ofSeconds(1)));
        assertEquals(1, refreshes(m), "the provider did answer");
        db.update("drop trigger fail_grant_update on partner_grant");
        assertEquals(1, db.count("select count(*) from refresh_attempt where grant_id = ? and refresh_token is not null",
                m.grantId()), "the new refresh token was kept, sealed, on its own connection");

        assertEquals(0, scheduler.detectLostAnswers(), "not before the attempt is old enough");
        db.update("update refresh_attempt set started_at = now() - interval '10 minutes' where grant_id = ?", m.grantId());
        assertEquals(1, scheduler.detectLostAnswers());
        assertEquals(1, db.count("select count(*) from audit_event where grant_id = ? and action = 'REFRESH_ANSWER_RECOVERED'",
                m.grantId()));
        assertEquals(0, db.count("select count(*) from refresh_attempt where grant_id = ?", m.grantId()));
        // the next refresh presents the new refresh token: the provider sees no reuse
        scheduler.tick();
        assertEquals(2, refreshes(m));
        assertEquals("ACTIVE", row(m).get("state"));
        assertEquals(reuse, sandboxCounters.reuseDetections(), "no refresh token presented twice");
    }

    @Test
    void a_refresh_held_by_a_live_transaction_is_not_reported_lost() throws Exception {
        Made m = grants("held", 1).get(0);
        db.update("insert into refresh_attempt (grant_id, started_at, owner, trigger) values (?, now() - interval '10 minutes', 'other', 'SCHEDULED')",
                m.grantId());
        try (var c = db.connection()) {
            c.setAutoCommit(false);
            c.createStatement().execute("select id from partner_grant where id = '" + m.grantId() + "' for update");
            assertEquals(0, scheduler.detectLostAnswers(), "its holder is still at work");
            c.rollback();
        }
        assertEquals(1, scheduler.detectLostAnswers());
    }

    /** One abandoned attempt that cannot be resolved (its grant sealed under a key no longer here) stops nothing else. */
    @Test
    void an_abandoned_attempt_that_cannot_be_resolved_does_not_stop_the_tick() {
        Made broken = grants("unopenable", 1).get(0);
        Made due = grants("due-beside", 1).get(0);
        // the grant's refresh token no longer opens (as under a key that left the keyring) and an old attempt waits
        db.update("update partner_grant set refresh_token = decode('00112233445566778899aabbccddeeff00112233', 'hex'), "
                + "refresh_due_at = now() + interval '1 day' where id = ?", broken.grantId());
        db.update("insert into refresh_attempt (grant_id, started_at, owner, trigger) values (?, now() - interval '10 minutes', 'other', 'SCHEDULED')",
                broken.grantId());
        db.update("update partner_grant set refresh_due_at = now() - interval '1 minute' where id = ?", due.grantId());
        try {
            RefreshScheduler.TickReport r = scheduler.tick(); // threw DecryptionFailedException before the fix
            assertTrue(r.refreshed() >= 1, "the due grant beside it was refreshed: " + r);
            assertTrue(((java.sql.Timestamp) db.query("select refresh_due_at from partner_grant where id = ?",
                    due.grantId()).get(0).get("refresh_due_at")).toInstant().isAfter(java.time.Instant.now()),
                    "the due grant's next refresh is in the future");
            scheduler.tick(); // and the next tick goes on as well
        } finally {
            db.update("delete from refresh_attempt where grant_id = ?", broken.grantId());
        }
    }

    /** Ordinary contention between replicas is no warning: a held grant is skipped without an SQL error. */
    @Test
    void a_grant_another_replica_holds_is_skipped_without_a_warning() throws Exception {
        Made m = grants("contended", 1).get(0);
        dueNow(List.of(m));
        db.update("insert into refresh_attempt (grant_id, started_at, owner, trigger) values (?, now() - interval '10 minutes', 'other', 'SCHEDULED')",
                m.grantId());
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try (var c = db.connection()) {
            c.setAutoCommit(false);
            c.createStatement().execute("select id from partner_grant where id = '" + m.grantId() + "' for update");
            assertThrows(dev.oauthgw.grant.GrantLocking.Busy.class, () -> refresher.refresh(m.grantId(), g -> true,
                    GrantRefresher.Trigger.SCHEDULED, config.scheduledLockWait()));
            assertEquals(0, scheduler.detectLostAnswers(), "its holder is still at work");
            scheduler.tick();
            c.rollback();
        } finally {
            root.removeHandler(capture);
        }
        assertEquals(List.of(), warnings);
        db.update("delete from refresh_attempt where grant_id = ?", m.grantId());
    }

    @Test
    void the_refresh_tokens_own_expiry_is_recorded_when_the_provider_says() {
        Made m = grants("rtexp", 1).get(0);
        assertEquals(null, row(m).get("refresh_expires_at"), "Auth0 does not say");
        sandboxTokenPolicy.reportRefreshTokenExpiry(true);
        refresher.refresh(m.grantId(), g -> true, GrantRefresher.Trigger.FORCED, Duration.ofSeconds(1));
        Instant rtExpiry = ((Timestamp) row(m).get("refresh_expires_at")).toInstant();
        assertTrue(rtExpiry.isAfter(Instant.now().plus(Duration.ofDays(29))), rtExpiry.toString());
    }

    @Test
    void when_the_provider_sends_no_new_refresh_token_the_old_one_is_kept() {
        Made m = grants("norotate", 1).get(0);
        byte[] before = (byte[]) row(m).get("refresh_token");
        sandboxTokenPolicy.rotateRefreshTokens(false);
        GrantRefresher.Outcome o = refresher.refresh(m.grantId(), g -> true, GrantRefresher.Trigger.FORCED,
                Duration.ofSeconds(1));
        assertTrue(o.calledProvider());
        assertEquals(null, o.failure());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, (byte[]) row(m).get("refresh_token"),
                "the stored refresh token is unchanged");
        // and it still works for the next refresh
        GrantRefresher.Outcome again = refresher.refresh(m.grantId(), g -> true, GrantRefresher.Trigger.FORCED,
                Duration.ofSeconds(1));
        assertEquals(null, again.failure());
        assertEquals("ACTIVE", row(m).get("state"));
        assertEquals(2, refreshes(m));
    }

    @Test
    void a_retry_is_moved_before_the_expiry_when_backoff_would_pass_it() {
        Grant g = new Grant();
        g.accessExpiresAt = Instant.now().plus(Duration.ofMinutes(20));
        g.refreshFailures = 12; // backoff at its 30 minute cap
        Instant next = RetryPolicy.of(config).nextAttempt(g.refreshFailures, g.accessExpiresAt, Instant.now(),
                java.util.Optional.empty(), java.util.concurrent.ThreadLocalRandom.current());
        assertTrue(next.isBefore(g.accessExpiresAt.minus(config.expiryMargin()).plusSeconds(1)), next.toString());
        assertTrue(next.isAfter(Instant.now()));
    }

    @Test
    void a_grant_that_cannot_be_decrypted_is_a_key_incident_parked_not_retried_and_reopened_when_its_key_is_back() {
        List<Made> list = grants("keyless", 2);
        Made broken = list.get(0);
        Made healthy = list.get(1);
        Map<String, Object> before = db.query("select refresh_token, refresh_token_key_id from partner_grant where id = ?",
                broken.grantId()).get(0);
        // its refresh token no longer opens (as when its key left the keyring)
        db.update("update partner_grant set refresh_token = ?, refresh_token_key_id = 1 where id = ?",
                new byte[] { 1, 2, 3 }, broken.grantId());
        dueNow(list);
        double incidentsBefore = keyIncidents();
        RefreshScheduler.TickReport r = scheduler.tick();
        assertEquals(1, refreshes(healthy), "the healthy grant was refreshed: " + r);
        assertEquals(0, refreshes(broken), "the provider is never called with what cannot be opened");
        Map<String, Object> parked = row(broken);
        assertEquals("REFRESH_FAILING", parked.get("state"));
        assertEquals("KEY_UNAVAILABLE", parked.get("last_refresh_outcome"));
        assertEquals(null, parked.get("refresh_due_at"), "not retried blindly");
        assertTrue(((String) parked.get("last_error")).contains("KEY INCIDENT"), (String) parked.get("last_error"));
        assertEquals(incidentsBefore + 1, keyIncidents(), "counted for the alert");
        assertEquals(1, grantQueries.counts().keyUnavailable(), "the dashboard's key-incident banner and the admin API");
        assertEquals(1, db.count("select count(*) from audit_event where grant_id = ? and action = 'REFRESH_FAILED'",
                broken.grantId()));
        scheduler.tick();
        assertEquals(0, scheduler.reopenRestoredKeys(), "its key is still missing");
        assertEquals(1, db.count("select count(*) from audit_event where grant_id = ? and action = 'REFRESH_FAILED'",
                broken.grantId()), "nothing more happens to it meanwhile");
        // the key is back (the ciphertext opens again): reopened at the next start, then refreshed
        db.update("update partner_grant set refresh_token = ?, refresh_token_key_id = ? where id = ?",
                before.get("refresh_token"), before.get("refresh_token_key_id"), broken.grantId());
        assertEquals(1, scheduler.reopenRestoredKeys());
        assertEquals(1, db.count("select count(*) from audit_event where grant_id = ? and action = 'REFRESH_KEY_RESTORED'",
                broken.grantId()));
        scheduler.tick();
        assertEquals(1, refreshes(broken));
        assertEquals("ACTIVE", row(broken).get("state"));
        assertEquals(0, grantQueries.counts().keyUnavailable());
    }

    /** Failures of the gateway itself (not the provider's answer) follow the retry policy, through the lifecycle. */
    @Test
    void an_unexpected_failure_backs_off_like_a_transient_one_instead_of_a_flat_delay() {
        Made m = grants("unexpected", 1).get(0);
        dueNow(List.of(m));
        // storing the answer fails in a way nobody planned for (not a lost connection): every store throws
        db.update("create or replace function fail_grant_update() returns trigger language plpgsql as "
                + "$$ begin if new.last_refresh_outcome = 'OK' then raise exception 'simulated bug'; end if; "
                + "return new; end $$");
        db.update("create trigger fail_grant_update before update on partner_grant for each row when "
                + "(new.id = '" + m.grantId() + "') execute function fail_grant_update()");
        Instant t0 = Instant.now();
        RefreshScheduler.TickReport r = scheduler.tick();
        assertEquals(1, r.failed(), r.toString());
        Map<String, Object> after = row(m);
        assertEquals("REFRESH_FAILING", after.get("state"), "recorded through the lifecycle owner");
        assertEquals(1, ((Number) after.get("refresh_failures")).intValue());
        Instant next = ((Timestamp) after.get("refresh_due_at")).toInstant();
        assertTrue(next.isAfter(t0) && next.isBefore(t0.plus(config.backoffInitial()).plusSeconds(5)),
                "the first retry after the initial backoff (" + config.backoffInitial() + "), not backoff-max: " + next);
        assertEquals(0, db.count("select count(*) from refresh_attempt where grant_id = ? and refresh_token is null",
                m.grantId()), "no claim left that would block it");
    }

    private double keyIncidents() {
        var c = meters.find("gateway.refresh.key.unavailable").counter();
        return c == null ? 0 : c.count();
    }
}
