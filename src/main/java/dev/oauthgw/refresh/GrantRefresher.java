package dev.oauthgw.refresh;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.grant.Grant;
import dev.oauthgw.grant.GrantLifecycle;
import dev.oauthgw.grant.GrantLocking;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.grant.GrantState;
import dev.oauthgw.grant.RefreshOutcome;
import dev.oauthgw.provider.ProviderException;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.provider.RegisteredProvider;
import dev.oauthgw.provider.TokenClient;
import dev.oauthgw.provider.TokenResponse;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;

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

    /**
     * Fired (CDI, synchronously) once per {@link #refresh} that ended without an exception, for observers
     * such as the metrics: what was asked, what came of it, how long it took.
     */
    public record Attempted(Trigger trigger, Outcome outcome, long nanos) {
    }

    private final ConcurrentHashMap<UUID, CompletableFuture<Outcome>> inflight = new ConcurrentHashMap<>();
    private final EntityManager em;
    private final TokenCipher cipher;
    private final TokenClient tokens;
    private final ProviderRegistry providers;
    private final GrantLifecycle lifecycle;
    private final GrantLocking locking;
    private final RefreshConfig config;
    private final RateBudget budget;
    private final ProviderIncidents incidents;
    private final Event<Attempted> attempted;
    private final Clock clock;

    public GrantRefresher(EntityManager em, TokenCipher cipher, TokenClient tokens, ProviderRegistry providers,
            GrantLifecycle lifecycle, GrantLocking locking, RefreshConfig config, RateBudget budget,
            ProviderIncidents incidents, Event<Attempted> attempted, Clock clock) {
        this.em = em;
        this.cipher = cipher;
        this.tokens = tokens;
        this.providers = providers;
        this.lifecycle = lifecycle;
        this.locking = locking;
        this.config = config;
        this.budget = budget;
        this.incidents = incidents;
        this.attempted = attempted;
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

    /**
     * Refreshes when {@code needed} holds for the grant as read under its row lock.
     *
     * @throws GrantLocking.Busy when another refresh (or change) of the grant holds it longer than {@code lockWait}
     */
    public Outcome refresh(UUID grantId, Predicate<Grant> needed, Trigger trigger, Duration lockWait) {
        long startedNanos = System.nanoTime();
        Outcome o = locking.inTransaction(lockWait, () -> attempt(grantId, needed, trigger));
        attempted.fire(new Attempted(trigger, o, System.nanoTime() - startedNanos));
        return o;
    }

    private Outcome attempt(UUID grantId, Predicate<Grant> needed, Trigger trigger) {
        Grant g = locking.lock(grantId).orElseThrow(() -> new IllegalStateException("grant " + grantId + " vanished"));
        if (!g.state.refreshable() || g.refreshToken == null || (trigger != Trigger.FORCED && !needed.test(g))) {
            return Outcome.unchanged(snapshot(g));
        }
        if (trigger == Trigger.INLINE && g.state == GrantState.REFRESH_FAILING && g.refreshDueAt != null
                && g.refreshDueAt.isAfter(clock.instant())) {
            // backing off after a failure: callers do not hammer a failing provider
            return new Outcome(snapshot(g), false, null, g.refreshDueAt, Held.BACKOFF);
        }
        if (trigger == Trigger.INLINE && incidents.active(g.registration).isPresent()) {
            return new Outcome(snapshot(g), false, null, null, Held.INCIDENT);
        }
        if (!budget.tryAcquire(g.registration, trigger == Trigger.SCHEDULED)) {
            return new Outcome(snapshot(g), false, null, clock.instant().plus(budget.untilNextWindow()), Held.BUDGET);
        }
        RegisteredProvider provider = providers.get(g.registration);
        String refreshToken = cipher.open(new Sealed(g.refreshToken, g.refreshTokenKeyId),
                GrantService.refreshAd(g.id));
        markInFlight(g.id, clock.instant(), trigger);
        TokenResponse answer;
        try {
            answer = tokens.refresh(provider, refreshToken);
        } catch (ProviderException e) {
            recordFailure(g, e, trigger);
            clearInFlight(g.id);
            return new Outcome(snapshot(g), true, e, g.refreshDueAt, Held.NO);
        }
        lifecycle.refreshed(g, answer, trigger.name());
        clearInFlight(g.id);
        incidents.resolve(g.registration);
        return new Outcome(snapshot(g), true, null, null, Held.NO);
    }

    private void recordFailure(Grant g, ProviderException e, Trigger trigger) {
        Instant now = clock.instant();
        RefreshOutcome outcome = RefreshOutcome.of(e.kind());
        Instant next = switch (outcome) {
            case INVALID_GRANT -> null;
            case CLIENT_REJECTED -> now.plus(config.incidentProbeEvery());
            default -> RetryPolicy.of(config).nextAttempt(g.refreshFailures + 1, g.accessExpiresAt, now, e.retryAfter(),
                    ThreadLocalRandom.current());
        };
        GrantState state = lifecycle.refreshFailed(g, outcome, e.getMessage(), next, trigger.name());
        switch (outcome) {
            case INVALID_GRANT -> LOG.warnf(
                    "Grant of partner %s is dead at the provider (invalid_grant): re-authorization required", g.partnerId);
            case CLIENT_REJECTED -> incidents.open(g.registration, e); // the vendor's credentials, not this grant
            default -> {
                if (g.accessExpiresAt != null && !next.isBefore(g.accessExpiresAt)) {
                    LOG.errorf("AT RISK: the access token of partner %s expires at %s, before its next refresh "
                            + "attempt at %s (%s)", g.partnerId, g.accessExpiresAt, next, e.getMessage());
                } else {
                    LOG.warnf("Refresh of partner %s failed (%s, attempt %d, %s); now %s, next attempt at %s",
                            g.partnerId, e.kind(), g.refreshFailures, trigger, state, next);
                }
            }
        }
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

    private Outcome await(CompletableFuture<Outcome> leader, Duration wait) {
        try {
            return leader.get(wait.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GrantLocking.Busy("Interrupted while waiting for another refresh");
        } catch (TimeoutException e) {
            throw new GrantLocking.Busy("Another refresh of this grant is taking too long");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
