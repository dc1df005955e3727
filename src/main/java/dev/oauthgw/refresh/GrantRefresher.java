package dev.oauthgw.refresh;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

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
        INCIDENT,
        /** refreshed within the inline cooldown: callers do not get another refresh so soon */
        COOLDOWN
    }

    /**
     * Fired (CDI, synchronously) once per {@link #refresh} that ended without an exception, for observers
     * such as the metrics: what was asked, what came of it, how long it took, and {@code exposureNanos}: from
     * reading the provider's answer to having its new refresh token committed, the only window in which a crash
     * loses it (-1 when no new refresh token came).
     */
    public record Attempted(Trigger trigger, Outcome outcome, long nanos, long exposureNanos) {
    }

    /** What resolving a refresh that ended without storing its answer came to. */
    public enum Resolution {
        /** nothing to resolve (no row, or the grant is busy elsewhere) */
        NONE,
        /** the kept refresh token was adopted by the grant */
        RECOVERED,
        /** no answer had been kept: recorded as lost, one retry at once */
        LOST,
        /** the row no longer fits the grant (new consent since, revoked...): dropped */
        OBSOLETE
    }

    private final ConcurrentHashMap<UUID, CompletableFuture<Outcome>> inflight = new ConcurrentHashMap<>();
    private final TokenCipher cipher;
    private final TokenClient tokens;
    private final ProviderRegistry providers;
    private final GrantLifecycle lifecycle;
    private final GrantLocking locking;
    private final RefreshAttempts attempts;
    private final RefreshConfig config;
    private final RateBudget budget;
    private final ProviderIncidents incidents;
    private final Event<Attempted> attempted;
    private final Clock clock;

    public GrantRefresher(TokenCipher cipher, TokenClient tokens, ProviderRegistry providers,
            GrantLifecycle lifecycle, GrantLocking locking, RefreshAttempts attempts, RefreshConfig config,
            RateBudget budget, ProviderIncidents incidents, Event<Attempted> attempted, Clock clock) {
        this.cipher = cipher;
        this.tokens = tokens;
        this.providers = providers;
        this.lifecycle = lifecycle;
        this.locking = locking;
        this.attempts = attempts;
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
        return singleFlight(grantId, needed, lockWait);
    }

    /**
     * The provider refused {@code refusedAccessToken} (HTTP 401 from its API, e.g. revoked or rotated there): refresh
     * the grant unless it already holds another access token (someone refreshed meanwhile). The same single flight as
     * {@link #ensureValid}: concurrent 401s of one grant in this JVM share one refresh, and across replicas the row lock
     * and the re-read under it make the others find the new token. The inline cooldown, backoff and budget apply.
     */
    public Outcome refreshRefused(UUID grantId, String refusedAccessToken, Duration lockWait) {
        byte[] refused = RefreshAttempts.sha256(refusedAccessToken);
        Predicate<Grant> needed = g -> g.accessToken == null || MessageDigest.isEqual(refused, RefreshAttempts.sha256(
                cipher.open(new Sealed(g.accessToken, g.accessTokenKeyId), GrantService.accessAd(g.id))));
        return singleFlight(grantId, needed, lockWait);
    }

    /** An inline refresh per grant in this JVM at a time: who comes while one runs waits for its outcome. */
    private Outcome singleFlight(UUID grantId, Predicate<Grant> needed, Duration lockWait) {
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> leader = inflight.putIfAbsent(grantId, mine);
        if (leader != null) {
            // one refresh for all who wait: never a turn each (the caller decides what the result serves)
            return await(leader, lockWait);
        }
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

    /**
     * Refreshes when {@code needed} holds for the grant as read under its row lock. A refresh of this grant that
     * ended without storing its answer is resolved first ({@link #resolveAbandoned}); an answer that cannot be
     * stored (the commit fails, the transaction times out) is resolved at once, so its new refresh token is kept.
     *
     * @throws GrantLocking.Busy when another refresh (or change) of the grant holds it longer than {@code lockWait}
     */
    public Outcome refresh(UUID grantId, Predicate<Grant> needed, Trigger trigger, Duration lockWait) {
        long startedNanos = System.nanoTime();
        if (attempts.exists(grantId)) {
            resolveAbandoned(grantId, lockWait, null);
        }
        long[] exposure = { -1 };
        Outcome o;
        try {
            o = locking.inTransaction(lockWait, () -> attempt(grantId, needed, trigger, exposure));
        } catch (RefreshAttempts.Pending e) {
            // an attempt was abandoned between our check and our lock: resolve it, then refresh once more
            resolveAbandoned(grantId, lockWait, null);
            o = locking.inTransaction(lockWait, () -> attempt(grantId, needed, trigger, exposure));
        } catch (GrantLocking.Busy e) {
            throw e;
        } catch (RuntimeException e) {
            // e.g. the commit failed or the transaction timed out after the provider answered: whatever the
            // answer left in refresh_attempt is resolved now, so that its new refresh token is not lost
            try {
                Resolution r = resolveAbandoned(grantId, lockWait,
                        "the provider's answer could not be stored: " + e.getMessage());
                if (r != Resolution.NONE) {
                    LOG.errorf("The answer to a refresh of grant %s could not be stored (%s): %s", grantId,
                            e.getMessage(), r);
                }
            } catch (RuntimeException again) {
                LOG.errorf("Could not resolve the refresh of grant %s now (%s); the next refresh will", grantId,
                        again.getMessage());
            }
            throw e;
        }
        attempted.fire(new Attempted(trigger, o, System.nanoTime() - startedNanos, exposure[0]));
        return o;
    }

    /**
     * Resolves a refresh of the grant that ended without storing its answer (its {@code refresh_attempt} row is
     * there while nobody holds the grant's row lock): when the provider's new refresh token was kept and the grant
     * still holds the token that attempt presented, the grant adopts it and is due at once ({@code RECOVERED});
     * when no answer was kept, the answer may be lost: recorded, and one retry at once ({@code LOST}); a row that
     * no longer fits the grant is dropped ({@code OBSOLETE}).
     *
     * @param cause why the answer was not stored, when known (else: the process that refreshed is gone)
     * @throws GrantLocking.Busy when the grant is locked longer than {@code lockWait} (its refresh may still run)
     */
    public Resolution resolveAbandoned(UUID grantId, Duration lockWait, String cause) {
        return locking.inTransaction(lockWait, () -> {
            Grant g = locking.lock(grantId).orElse(null);
            Optional<RefreshAttempts.Abandoned> found = attempts.find(grantId);
            if (found.isEmpty()) {
                return Resolution.NONE;
            }
            RefreshAttempts.Abandoned a = found.get();
            attempts.finish(grantId);
            String why = cause != null ? cause : "the process that ran it (" + a.owner() + ") is gone";
            if (g == null || !g.state.refreshable() || g.refreshToken == null || !presented(g, a)) {
                LOG.warnf("Dropped an abandoned refresh of grant %s (%s): the grant has changed since (%s)", grantId,
                        a, g == null ? "deleted" : g.state);
                return Resolution.OBSOLETE;
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("started_at", String.valueOf(a.startedAt()));
            facts.put("owner", a.owner());
            facts.put("trigger", a.trigger());
            facts.put("cause", why);
            if (a.kept().isPresent()) {
                facts.put("answered_at", String.valueOf(a.answeredAt()));
                String message = "A refresh started at " + a.startedAt() + " ended before its answer was stored ("
                        + why + "); the new refresh token the provider sent was kept and is used";
                LOG.warnf("Recovered the answer of an abandoned refresh for partner %s: %s", g.partnerId, message);
                lifecycle.answerRecovered(g, a.kept().get(), message, facts);
                return Resolution.RECOVERED;
            }
            String message = "A refresh started at " + a.startedAt() + " by " + a.owner() + " (" + a.trigger()
                    + ") ended without storing the provider's answer (" + why + "); the provider may have rotated "
                    + "the refresh token: retrying once with the stored one";
            LOG.errorf("INCIDENT: lost refresh answer for partner %s: %s", g.partnerId, message);
            lifecycle.answerLost(g, message, facts);
            return Resolution.LOST;
        });
    }

    /** Whether the grant still holds the refresh token the abandoned attempt presented. */
    private boolean presented(Grant g, RefreshAttempts.Abandoned a) {
        if (a.presentedSha256() == null) {
            return true; // recorded before presented tokens were: assume it is the grant's
        }
        String current = cipher.open(new Sealed(g.refreshToken, g.refreshTokenKeyId), GrantService.refreshAd(g.id));
        return MessageDigest.isEqual(a.presentedSha256(), RefreshAttempts.sha256(current));
    }

    private Outcome attempt(UUID grantId, Predicate<Grant> needed, Trigger trigger, long[] exposure) {
        Grant g = locking.lock(grantId).orElseThrow(() -> new IllegalStateException("grant " + grantId + " vanished"));
        if (!g.state.refreshable() || g.refreshToken == null || (trigger != Trigger.FORCED && !needed.test(g))) {
            return Outcome.unchanged(snapshot(g));
        }
        if (trigger == Trigger.INLINE && g.state == GrantState.REFRESH_FAILING && g.refreshDueAt != null
                && g.refreshDueAt.isAfter(clock.instant())) {
            // backing off after a failure: callers do not hammer a failing provider
            return new Outcome(snapshot(g), false, null, g.refreshDueAt, Held.BACKOFF);
        }
        if (trigger == Trigger.INLINE && g.lastRefreshOutcome == RefreshOutcome.OK && g.lastRefreshAt != null
                && g.lastRefreshAt.plus(config.inlineCooldown()).isAfter(clock.instant())) {
            return new Outcome(snapshot(g), false, null, g.lastRefreshAt.plus(config.inlineCooldown()), Held.COOLDOWN);
        }
        if (trigger == Trigger.INLINE && incidents.active(g.registration).isPresent()) {
            return new Outcome(snapshot(g), false, null, null, Held.INCIDENT);
        }
        if (!budget.tryAcquire(g.registration, trigger != Trigger.INLINE)) {
            return new Outcome(snapshot(g), false, null, clock.instant().plus(budget.untilNextWindow()), Held.BUDGET);
        }
        RegisteredProvider provider = providers.get(g.registration);
        String refreshToken = cipher.open(new Sealed(g.refreshToken, g.refreshTokenKeyId),
                GrantService.refreshAd(g.id));
        attempts.start(g.id, clock.instant(), OWNER, trigger.name(), refreshToken);
        Sealed[] kept = { null };
        TokenResponse answer;
        try {
            answer = tokens.refresh(provider, refreshToken, rotated -> {
                // the only valid refresh token from now on: durable before anything else can fail
                long read = System.nanoTime();
                Sealed sealed = cipher.seal(rotated, GrantService.refreshAd(g.id));
                try {
                    attempts.keep(g.id, sealed, clock.instant());
                    exposure[0] = System.nanoTime() - read;
                } catch (RuntimeException e) {
                    LOG.errorf("Could not keep the new refresh token of partner %s on its own (%s); it is stored with "
                            + "the answer", g.partnerId, e.getMessage());
                }
                kept[0] = sealed;
            });
        } catch (ProviderException e) {
            recordFailure(g, e, trigger, kept[0]);
            attempts.finish(g.id);
            return new Outcome(snapshot(g), true, e, g.refreshDueAt, Held.NO);
        }
        lifecycle.refreshed(g, answer, trigger.name());
        attempts.finish(g.id);
        incidents.resolve(g.registration);
        return new Outcome(snapshot(g), true, null, null, Held.NO);
    }

    private void recordFailure(Grant g, ProviderException e, Trigger trigger, Sealed keptRefreshToken) {
        Instant now = clock.instant();
        RefreshOutcome outcome = RefreshOutcome.of(e.kind());
        Instant next = switch (outcome) {
            case INVALID_GRANT -> null;
            case CLIENT_REJECTED -> now.plus(config.incidentProbeEvery());
            default -> RetryPolicy.of(config).nextAttempt(g.refreshFailures + 1, g.accessExpiresAt, now, e.retryAfter(),
                    ThreadLocalRandom.current());
        };
        boolean deadAfterLostAnswer = outcome == RefreshOutcome.INVALID_GRANT
                && g.lastRefreshOutcome == RefreshOutcome.ANSWER_LOST;
        String error = deadAfterLostAnswer ? e.getMessage() + " (the retry after a lost refresh answer: the provider "
                + "had rotated the refresh token)" : e.getMessage();
        GrantState state = lifecycle.refreshFailed(g, outcome, error, next, trigger.name(), keptRefreshToken);
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

    private GrantSnapshot snapshot(Grant g) {
        String access = g.accessToken == null ? null
                : cipher.open(new Sealed(g.accessToken, g.accessTokenKeyId), GrantService.accessAd(g.id));
        return new GrantSnapshot(g.id, g.partnerId, g.state, g.stateSince, access, g.accessExpiresAt, g.scope,
                g.accessLifetimeSeconds);
    }

    private Duration remaining(Grant g) {
        return g.accessExpiresAt == null ? Duration.ZERO : Duration.between(clock.instant(), g.accessExpiresAt);
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
