package dev.oauthgw.refresh;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import dev.oauthgw.audit.AuditAction;
import dev.oauthgw.audit.AuditService;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.events.EventPublisher;
import dev.oauthgw.grant.Grant;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.grant.GrantState;
import dev.oauthgw.grant.RefreshSchedule;
import dev.oauthgw.provider.ProviderException;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.provider.RegisteredProvider;
import dev.oauthgw.provider.TokenClient;
import dev.oauthgw.provider.TokenResponse;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.PessimisticLockException;

/**
 * Refreshes one grant, never twice at once anywhere in the cluster: callers in this JVM share one
 * refresh (single flight), and across replicas the grant's row lock is held from the re-read to the
 * commit of the provider's answer. After taking the lock the row is read again: when another caller
 * or replica refreshed meanwhile, its token is used and the provider is not called.
 * <p>
 * Before the provider is called, a {@code refresh_attempt} row is committed on its own connection; it
 * is deleted in the transaction that stores the answer. A row that outlives its transaction means an
 * answer may have been lost, which the scheduler reports as an incident.
 */
@ApplicationScoped
public class GrantRefresher {

    private static final Logger LOG = Logger.getLogger(GrantRefresher.class);
    static final String OWNER = ManagementFactory.getRuntimeMXBean().getName();

    public enum Trigger {
        INLINE, SCHEDULED, FORCED
    }

    /**
     * What an attempt came to: the grant as it is now, whether the provider was called, and the
     * provider's failure if there was one (already recorded on the grant).
     */
    public record Outcome(GrantSnapshot snapshot, boolean calledProvider, ProviderException failure,
            Instant backoffUntil, Held held) {
        static Outcome unchanged(GrantSnapshot s) {
            return new Outcome(s, false, null, null, Held.NO);
        }
    }

    /** Why the provider was not called although the grant needed a refresh. */
    public enum Held {
        /** it was called, or did not need to be */
        NO,
        /** the grant is backing off after a failure */
        BACKOFF,
        /** the cluster's rate budget for this minute is spent */
        BUDGET,
        /** the provider rejects the vendor's client credentials (global incident) */
        INCIDENT
    }

    /** Another refresh of the same grant held it longer than the caller may wait. */
    public static class Busy extends RuntimeException {
        public Busy(String message) {
            super(message, null, false, false);
        }
    }

    @jakarta.inject.Inject
    dev.oauthgw.ops.GatewayMetrics metrics; // ops: attempts, outcomes and latency, recorded once in refresh()

    private final ConcurrentHashMap<UUID, CompletableFuture<Outcome>> inflight = new ConcurrentHashMap<>();
    private final EntityManager em;
    private final TokenCipher cipher;
    private final TokenClient tokens;
    private final ProviderRegistry providers;
    private final AuditService audit;
    private final RefreshConfig config;
    private final RateBudget budget;
    private final ProviderIncidents incidents;
    private final EventPublisher events;
    private final Clock clock;

    public GrantRefresher(EntityManager em, TokenCipher cipher, TokenClient tokens, ProviderRegistry providers,
            AuditService audit, RefreshConfig config, RateBudget budget, ProviderIncidents incidents,
            EventPublisher events, Clock clock) {
        this.em = em;
        this.cipher = cipher;
        this.tokens = tokens;
        this.providers = providers;
        this.audit = audit;
        this.config = config;
        this.budget = budget;
        this.incidents = incidents;
        this.events = events;
        this.clock = clock;
    }

    /**
     * The inline path: makes sure the grant's access token stays valid for {@code minValid}, refreshing
     * when it does not; concurrent callers in this JVM wait for one refresh.
     */
    public Outcome ensureValid(UUID grantId, Duration minValid, Duration lockWait) {
        Predicate<Grant> needed = g -> remaining(g).compareTo(minValid) < 0;
        for (int round = 0; round < 2; round++) {
            CompletableFuture<Outcome> mine = new CompletableFuture<>();
            CompletableFuture<Outcome> leader = inflight.putIfAbsent(grantId, mine);
            if (leader == null) {
                try {
                    Outcome o = refresh(grantId, needed, Trigger.INLINE, lockWait);
                    mine.complete(o);
                    return o;
                } catch (RuntimeException e) {
                    mine.completeExceptionally(e);
                    throw e;
                } finally {
                    inflight.remove(grantId, mine);
                }
            }
            Outcome shared = await(leader, lockWait);
            if (shared.failure() != null || shared.held() != Held.NO || !isShort(shared.snapshot(), minValid)) {
                return shared;
            }
            // the leader needed less validity than this caller: take a turn of our own
        }
        return refresh(grantId, needed, Trigger.INLINE, lockWait);
    }

    /** Refreshes when {@code needed} holds for the grant as read under its row lock. */
    public Outcome refresh(UUID grantId, Predicate<Grant> needed, Trigger trigger, Duration lockWait) {
        long startedNanos = System.nanoTime();
        Attempt a;
        try {
            a = QuarkusTransaction.requiringNew().timeout(txTimeoutSeconds(lockWait))
                    .call(() -> attempt(grantId, needed, trigger, lockWait));
        } catch (LockTimeoutException | PessimisticLockException e) {
            throw new Busy("Another refresh of this grant is taking longer than " + lockWait.toSeconds() + " s");
        } catch (RuntimeException e) {
            if (isLockTimeout(e)) {
                throw new Busy("Another refresh of this grant is taking longer than " + lockWait.toSeconds() + " s");
            }
            throw e;
        }
        metrics.refreshAttempt(trigger, a.outcome(), System.nanoTime() - startedNanos);
        return a.outcome();
    }

    private record Attempt(Outcome outcome) {
    }

    private Attempt attempt(UUID grantId, Predicate<Grant> needed, Trigger trigger, Duration lockWait) {
        em.createNativeQuery("select set_config('lock_timeout', ?1, true)")
                .setParameter(1, Math.max(1, lockWait.toMillis()) + "ms").getSingleResult();
        Grant g = em.find(Grant.class, grantId, LockModeType.PESSIMISTIC_WRITE);
        if (g == null) {
            throw new IllegalStateException("grant " + grantId + " vanished");
        }
        if (!refreshable(g.state) || g.refreshToken == null
                || (trigger != Trigger.FORCED && !needed.test(g))) {
            return new Attempt(Outcome.unchanged(snapshot(g)));
        }
        if (trigger == Trigger.INLINE && g.state == GrantState.REFRESH_FAILING && g.refreshDueAt != null
                && g.refreshDueAt.isAfter(clock.instant())) {
            // backing off after a failure: callers do not hammer a failing provider
            return new Attempt(new Outcome(snapshot(g), false, null, g.refreshDueAt, Held.BACKOFF));
        }
        if (trigger == Trigger.INLINE && incidents.active(g.registration).isPresent()) {
            return new Attempt(new Outcome(snapshot(g), false, null, null, Held.INCIDENT));
        }
        if (!budget.tryAcquire(g.registration, trigger == Trigger.SCHEDULED)) {
            return new Attempt(new Outcome(snapshot(g), false, null, clock.instant().plus(budget.untilNextWindow()),
                    Held.BUDGET));
        }
        RegisteredProvider provider = providers.get(g.registration);
        String refreshToken = cipher.open(new Sealed(g.refreshToken, g.refreshTokenKeyId),
                GrantService.refreshAd(g.id));
        Instant started = clock.instant();
        markInFlight(g.id, started, trigger);
        TokenResponse answer;
        try {
            answer = tokens.refresh(provider, refreshToken);
        } catch (ProviderException e) {
            recordFailure(g, e, trigger);
            clearInFlight(g.id);
            return new Attempt(new Outcome(snapshot(g), true, e, g.refreshDueAt, Held.NO));
        }
        apply(g, answer, trigger);
        clearInFlight(g.id);
        incidents.resolve(g.registration);
        return new Attempt(new Outcome(snapshot(g), true, null, null, Held.NO));
    }

    private void apply(Grant g, TokenResponse t, Trigger trigger) {
        Instant now = clock.instant();
        GrantState before = g.state;
        Sealed access = cipher.seal(t.accessToken(), GrantService.accessAd(g.id));
        g.accessToken = access.ciphertext();
        g.accessTokenKeyId = access.keyId();
        if (t.refreshToken().isPresent()) { // no new refresh token: keep the old one
            Sealed refresh = cipher.seal(t.refreshToken().get(), GrantService.refreshAd(g.id));
            g.refreshToken = refresh.ciphertext();
            g.refreshTokenKeyId = refresh.keyId();
        }
        g.accessExpiresAt = t.expiresAt();
        t.refreshExpiresAt().ifPresent(r -> g.refreshExpiresAt = r);
        g.scope = t.scope();
        g.refreshDueAt = RefreshSchedule.dueAt(g.id, now, t.expiresAt());
        g.refreshFailures = 0;
        g.lastRefreshAt = now;
        g.lastRefreshOutcome = "OK";
        g.lastError = null;
        g.updatedAt = now;
        if (before != GrantState.ACTIVE) {
            changeState(g, GrantState.ACTIVE, "refresh succeeded (" + trigger.name().toLowerCase() + ")");
        }
    }

    private void recordFailure(Grant g, ProviderException e, Trigger trigger) {
        Instant now = clock.instant();
        g.lastRefreshAt = now;
        g.lastError = e.getMessage();
        g.updatedAt = now;
        switch (e.kind()) {
            case INVALID_GRANT -> {
                g.lastRefreshOutcome = "INVALID_GRANT";
                g.refreshDueAt = null;
                changeState(g, GrantState.REAUTH_REQUIRED, "provider answered invalid_grant");
                LOG.warnf("Grant of partner %s is dead at the provider (invalid_grant): re-authorization required",
                        g.partnerId);
            }
            case CLIENT_REJECTED -> {
                // the vendor's credentials, not this grant: a global incident, the grant stays as it is
                g.lastRefreshOutcome = e.kind().name();
                g.refreshDueAt = now.plus(config.incidentProbeEvery());
                incidents.open(g.registration, e);
            }
            default -> {
                g.lastRefreshOutcome = e.kind().name();
                g.refreshFailures++;
                g.refreshDueAt = nextAttempt(g, now, e);
                if (g.state == GrantState.ACTIVE) {
                    changeState(g, GrantState.REFRESH_FAILING, e.kind().name().toLowerCase() + ": " + e.getMessage());
                }
                if (g.accessExpiresAt != null && !g.refreshDueAt.isBefore(g.accessExpiresAt)) {
                    LOG.errorf("AT RISK: the access token of partner %s expires at %s, before its next refresh "
                            + "attempt at %s (%s)", g.partnerId, g.accessExpiresAt, g.refreshDueAt, e.getMessage());
                } else {
                    LOG.warnf("Refresh of partner %s failed (%s, attempt %d, %s); next attempt at %s", g.partnerId,
                            e.kind(), g.refreshFailures, trigger, g.refreshDueAt);
                }
            }
        }
        // every failed attempt, not only the state changes: the grant page lists them with their reasons
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("kind", e.kind().name());
        if (e.getMessage() != null) {
            detail.put("error", e.getMessage());
        }
        detail.put("trigger", trigger.name());
        detail.put("failures_in_a_row", g.refreshFailures);
        detail.put("state", g.state.name());
        if (g.refreshDueAt != null) {
            detail.put("next_attempt_at", g.refreshDueAt.toString());
        }
        audit.record("system", AuditAction.REFRESH_FAILED, g.partnerId, g.id, detail);
    }

    /**
     * The next attempt after a transient failure: exponential backoff with jitter, never sooner than the
     * provider's Retry-After, and moved up to before the access token's expiry (minus the margin) where
     * that is still later than the Retry-After allows.
     */
    Instant nextAttempt(Grant g, Instant now, ProviderException e) {
        Instant next = now.plus(backoff(g.refreshFailures, e));
        if (g.accessExpiresAt != null) {
            Instant latestUseful = g.accessExpiresAt.minus(config.expiryMargin());
            Instant earliest = now.plus(e.retryAfter().orElse(Duration.ofSeconds(1)));
            if (next.isAfter(latestUseful) && latestUseful.isAfter(earliest)) {
                next = latestUseful;
            }
        }
        return next;
    }

    /** Exponential backoff with jitter, never sooner than the provider's Retry-After. */
    Duration backoff(int failures, ProviderException e) {
        long base = config.backoffInitial().toMillis();
        long cap = config.backoffMax().toMillis();
        long exp = Math.min(cap, base << Math.min(20, Math.max(0, failures - 1)));
        long jittered = exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
        Duration d = Duration.ofMillis(jittered);
        if (e.retryAfter().isPresent() && e.retryAfter().get().compareTo(d) > 0) {
            d = e.retryAfter().get();
        }
        return d;
    }

    private void changeState(Grant g, GrantState to, String reason) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("from", g.state.name());
        detail.put("to", to.name());
        detail.put("reason", reason);
        events.publishStateChange(g.partnerId, g.id, g.state, to, reason);
        g.state = to;
        g.stateSince = clock.instant();
        audit.record("system", AuditAction.GRANT_STATE_CHANGED, g.partnerId, g.id, detail);
    }

    private void markInFlight(UUID grantId, Instant started, Trigger trigger) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "insert into refresh_attempt (grant_id, started_at, owner, trigger) values (?1, ?2, ?3, ?4) "
                        + "on conflict (grant_id) do update set started_at = excluded.started_at, "
                        + "owner = excluded.owner, trigger = excluded.trigger")
                .setParameter(1, grantId).setParameter(2, started).setParameter(3, OWNER)
                .setParameter(4, trigger.name()).executeUpdate());
    }

    private void clearInFlight(UUID grantId) {
        em.createNativeQuery("delete from refresh_attempt where grant_id = ?1").setParameter(1, grantId)
                .executeUpdate();
    }

    private GrantSnapshot snapshot(Grant g) {
        String access = g.accessToken == null ? null
                : cipher.open(new Sealed(g.accessToken, g.accessTokenKeyId), GrantService.accessAd(g.id));
        return new GrantSnapshot(g.id, g.partnerId, g.state, g.stateSince, access, g.accessExpiresAt, g.scope);
    }

    private Duration remaining(Grant g) {
        return g.accessExpiresAt == null ? Duration.ZERO : Duration.between(clock.instant(), g.accessExpiresAt);
    }

    private boolean isShort(GrantSnapshot s, Duration minValid) {
        return s.accessExpiresAt() == null
                || Duration.between(clock.instant(), s.accessExpiresAt()).compareTo(minValid) < 0;
    }

    static boolean refreshable(GrantState s) {
        return s == GrantState.ACTIVE || s == GrantState.REFRESH_FAILING;
    }

    private Outcome await(CompletableFuture<Outcome> leader, Duration wait) {
        try {
            return leader.get(wait.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Busy("Interrupted while waiting for another refresh");
        } catch (TimeoutException e) {
            throw new Busy("Another refresh of this grant is taking too long");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static int txTimeoutSeconds(Duration lockWait) {
        return (int) Math.min(600, lockWait.toSeconds() + 90);
    }

    private static boolean isLockTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LockTimeoutException || t instanceof PessimisticLockException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && "55P03".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
