package dev.oauthgw.refresh;

import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import dev.oauthgw.crypto.DecryptionFailedException;
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
 * Refreshes one grant, never twice at once anywhere in the cluster, and never holding a transaction, row lock or
 * pooled connection while the provider is called (claim / call / store, ADR 0020):
 * <ol>
 * <li><b>claim</b>: a short transaction takes the grant's row lock, decides whether a refresh is needed and allowed
 * (state, backoff, cooldown, incident), records the attempt in {@code refresh_attempt} with a fencing value of its
 * own (the claim) and the hash of the refresh token about to be presented, and takes one unit of the rate budget:
 * one connection for a few milliseconds;</li>
 * <li><b>call</b>: the provider, with no connection held; its new refresh token is sealed and committed into the
 * claim's row the moment it is read (a short transaction of its own);</li>
 * <li><b>store</b>: a short transaction takes the row lock again, checks the claim is still the grant's
 * (compare-and-set on {@code claim_id}) and that the grant still holds the token presented, stores the answer (or the
 * failure) through the lifecycle owner and deletes the claim.</li>
 * </ol>
 * A claim is a lease of {@code answer-lost-after}, longer than any call can last (every call is bounded): who finds
 * another's live claim does not call the provider; inline callers wait for its result and read the grant again.
 * Callers in this JVM share one inline refresh per grant (single flight). A claim that outlives its lease belongs to
 * a refresh that ended without storing its answer: {@link #resolveAbandoned} adopts the new refresh token it kept,
 * or records the answer as lost.
 */
@ApplicationScoped
public class GrantRefresher {

    private static final Logger LOG = Logger.getLogger(GrantRefresher.class);
    /** Who claims: the process, and a value of this start (a restarted container keeps its pid and host name). */
    static final String OWNER = ManagementFactory.getRuntimeMXBean().getName() + "/"
            + UUID.randomUUID().toString().substring(0, 8);
    /** Longest pause between two looks at another refresh's claim while waiting for its result. */
    private static final Duration MAX_POLL = Duration.ofMillis(250);

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
        COOLDOWN,
        /**
         * the grant's refresh token cannot be decrypted with the keyring (a key-management incident): recorded on
         * the grant, which is not retried until its key is back (at start-up) or an operator forces a refresh
         */
        KEY_UNAVAILABLE
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
        /** nothing to resolve (no row, its lease still runs, or the grant is busy elsewhere) */
        NONE,
        /** the kept refresh token was adopted by the grant */
        RECOVERED,
        /** no answer had been kept: recorded as lost, one retry at once */
        LOST,
        /** the row no longer fits the grant (new consent since, revoked...): dropped */
        OBSOLETE
    }

    /** The result of the claim step: an outcome without a call, another refresh's live claim, or a claim of ours. */
    private record Claim(Outcome decided, UUID othersClaim, UUID grantId, UUID claimId, String registration,
            String partnerId, String refreshToken, byte[] presented) {
        @Override
        public String toString() {
            return "Claim[" + partnerId + ", " + claimId + "]";
        }
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
        return singleFlight(grantId, needed, false, lockWait);
    }

    /**
     * The provider refused {@code refusedAccessToken} (HTTP 401 from its API, e.g. revoked or rotated there): refresh
     * the grant unless it already holds another access token (someone refreshed meanwhile). The same single flight as
     * {@link #ensureValid}. The provider's 401 proves the refresh necessary, so the inline cooldown does not hold it
     * back; backoff, incidents and the budget still apply.
     */
    public Outcome refreshRefused(UUID grantId, String refusedAccessToken, Duration lockWait) {
        byte[] refused = RefreshAttempts.sha256(refusedAccessToken);
        Predicate<Grant> needed = g -> g.accessToken == null || MessageDigest.isEqual(refused, RefreshAttempts.sha256(
                cipher.open(new Sealed(g.accessToken, g.accessTokenKeyId), GrantService.accessAd(g.id))));
        return singleFlight(grantId, needed, true, lockWait);
    }

    /** An inline refresh per grant in this JVM at a time: who comes while one runs waits for its outcome. */
    private Outcome singleFlight(UUID grantId, Predicate<Grant> needed, boolean provenNeeded, Duration lockWait) {
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> leader = inflight.putIfAbsent(grantId, mine);
        if (leader != null) {
            // one refresh for all who wait: never a turn each (the caller decides what the result serves)
            return await(leader, lockWait);
        }
        try {
            Outcome o = refresh(grantId, needed, Trigger.INLINE, lockWait, provenNeeded);
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
     * Refreshes when {@code needed} holds for the grant as read in the claim. Another refresh's live claim is not
     * called again: with a zero {@code lockWait} (the scheduler's default) the grant is left to it
     * ({@link GrantLocking.Busy}); otherwise the caller waits for its result, at most {@code lockWait}, and decides
     * again on what it stored.
     *
     * @throws GrantLocking.Busy when the grant's row lock, or another refresh's result, takes longer than
     *                           {@code lockWait}
     */
    public Outcome refresh(UUID grantId, Predicate<Grant> needed, Trigger trigger, Duration lockWait) {
        return refresh(grantId, needed, trigger, lockWait, false);
    }

    private Outcome refresh(UUID grantId, Predicate<Grant> needed, Trigger trigger, Duration lockWait,
            boolean provenNeeded) {
        long startedNanos = System.nanoTime();
        long deadline = startedNanos + lockWait.toNanos();
        while (true) {
            Claim c = claim(grantId, needed, trigger, lockWait, provenNeeded);
            if (c.decided() != null) {
                attempted.fire(new Attempted(trigger, c.decided(), System.nanoTime() - startedNanos, -1));
                return c.decided();
            }
            if (c.othersClaim() != null) {
                if (lockWait.isZero()) { // the scheduler's default: leave the grant to whoever refreshes it
                    throw new GrantLocking.Busy("Another refresh of this grant is in flight");
                }
                awaitResult(grantId, c.othersClaim(), deadline);
                continue; // decide again on what that refresh stored
            }
            long[] exposure = { -1 };
            Outcome o = callAndStore(c, trigger, exposure);
            attempted.fire(new Attempted(trigger, o, System.nanoTime() - startedNanos, exposure[0]));
            return o;
        }
    }

    /** Step 1: a short transaction under the grant's row lock. */
    private Claim claim(UUID grantId, Predicate<Grant> needed, Trigger trigger, Duration lockWait,
            boolean provenNeeded) {
        Claim c = locking.inTransaction(lockWait, () -> {
            Grant g = locking.lock(grantId).orElseThrow(() -> new IllegalStateException("grant " + grantId + " vanished"));
            Optional<RefreshAttempts.Abandoned> other = attempts.find(grantId);
            if (other.isPresent()) {
                if (!other.get().lapsed(clock.instant(), config.answerLostAfter())) {
                    return new Claim(null, other.get().claimId(), grantId, null, null, null, null, null);
                }
                resolve(g, other.get(), null); // then decide on the grant as the resolution left it
            }
            Instant now = clock.instant();
            if (!g.state.refreshable() || g.refreshToken == null || (trigger != Trigger.FORCED && !needed.test(g))) {
                return decided(Outcome.unchanged(snapshot(g)));
            }
            if (trigger == Trigger.INLINE && g.state == GrantState.REFRESH_FAILING && g.refreshDueAt != null
                    && g.refreshDueAt.isAfter(now)) {
                // backing off after a failure: callers do not hammer a failing provider
                return decided(new Outcome(snapshot(g), false, null, g.refreshDueAt, Held.BACKOFF));
            }
            if (trigger == Trigger.INLINE && !provenNeeded && g.lastRefreshOutcome == RefreshOutcome.OK
                    && g.lastRefreshAt != null && g.lastRefreshAt.plus(config.inlineCooldown()).isAfter(now)) {
                return decided(new Outcome(snapshot(g), false, null, g.lastRefreshAt.plus(config.inlineCooldown()),
                        Held.COOLDOWN));
            }
            if (trigger == Trigger.INLINE && incidents.active(g.registration).isPresent()) {
                return decided(new Outcome(snapshot(g), false, null, null, Held.INCIDENT));
            }
            String refreshToken;
            try {
                refreshToken = cipher.open(new Sealed(g.refreshToken, g.refreshTokenKeyId), GrantService.refreshAd(g.id));
            } catch (DecryptionFailedException e) {
                return decided(keyUnavailable(g, e, trigger));
            }
            UUID claimId = UUID.randomUUID();
            attempts.claim(g.id, claimId, now, OWNER, trigger.name(), refreshToken);
            // last, just before the commit: the budget's row is held for the shortest time
            if (!budget.tryAcquire(g.registration, trigger != Trigger.INLINE)) {
                attempts.finish(g.id);
                return decided(new Outcome(snapshot(g), false, null, now.plus(budget.untilNextWindow()), Held.BUDGET));
            }
            return new Claim(null, null, grantId, claimId, g.registration, g.partnerId, refreshToken,
                    RefreshAttempts.sha256(refreshToken));
        });
        return c;
    }

    private static Claim decided(Outcome o) {
        return new Claim(o, null, null, null, null, null, null, null);
    }

    /**
     * The grant's refresh token does not open with the keyring (its key left it, or the row was altered): a
     * key-management incident, recorded on the grant (REFRESH_FAILING, outcome KEY_UNAVAILABLE, no next attempt:
     * retrying cannot help until the key is back) and logged for the operators; the provider is not called.
     */
    private Outcome keyUnavailable(Grant g, DecryptionFailedException e, Trigger trigger) {
        String message = "KEY INCIDENT: the refresh token cannot be decrypted (" + e.getMessage() + "); restore the "
                + "key to the keyring (GATEWAY_CRYPTO_KEYRING) and restart, or the partner must connect again";
        LOG.errorf("KEY INCIDENT: the refresh token of partner %s cannot be decrypted (%s); it is not refreshed until "
                + "its key is back", g.partnerId, e.getMessage());
        if (g.lastRefreshOutcome != RefreshOutcome.KEY_UNAVAILABLE || g.refreshDueAt != null) {
            lifecycle.refreshFailed(g, RefreshOutcome.KEY_UNAVAILABLE, message, null, trigger.name());
        }
        return new Outcome(snapshotOrSealed(g), false, null, null, Held.KEY_UNAVAILABLE);
    }

    /** Steps 2 and 3: the provider with no connection held, then the answer stored if the claim is still ours. */
    private Outcome callAndStore(Claim c, Trigger trigger, long[] exposure) {
        UUID grantId = c.grantId();
        Sealed[] kept = { null };
        TokenResponse answer = null;
        ProviderException failure = null;
        try {
            RegisteredProvider provider = providers.get(c.registration());
            answer = tokens.refresh(provider, c.refreshToken(), rotated -> {
                // the only valid refresh token from now on: durable before anything else can fail
                long read = System.nanoTime();
                Sealed sealed = cipher.seal(rotated, GrantService.refreshAd(grantId));
                kept[0] = sealed;
                try {
                    if (attempts.keep(grantId, c.claimId(), sealed, clock.instant())) {
                        exposure[0] = System.nanoTime() - read;
                    } else {
                        LOG.errorf("The claim on the refresh of partner %s lapsed before the provider answered; its new "
                                + "refresh token is stored with the answer if the grant still allows", c.partnerId());
                    }
                } catch (RuntimeException e) {
                    LOG.errorf("Could not keep the new refresh token of partner %s on its own (%s); it is stored with "
                            + "the answer", c.partnerId(), e.getMessage());
                }
            });
        } catch (ProviderException e) {
            failure = e;
        } catch (RuntimeException e) {
            // not the provider's answer but ours (a bug, a resource): retried with backoff like a transient failure
            LOG.errorf(e, "Refresh of partner %s failed unexpectedly", c.partnerId());
            failure = new ProviderException(ProviderException.Kind.TRANSIENT, 0, null,
                    "The gateway failed unexpectedly while refreshing (" + e.getClass().getSimpleName() + ")", null, e);
        }
        TokenResponse stored = answer;
        ProviderException failed = failure;
        try {
            return locking.inTransaction(config.storeLockWait(), () -> store(c, trigger, stored, failed, kept[0]));
        } catch (RuntimeException e) {
            // e.g. the commit failed after the provider answered: what the answer left in the claim's row is resolved
            // now, so that its new refresh token is not lost
            try {
                Resolution r = resolveAbandoned(grantId, config.storeLockWait(),
                        "the provider's answer could not be stored: " + e.getMessage(), c.claimId());
                if (r != Resolution.NONE) {
                    LOG.errorf("The answer to a refresh of grant %s could not be stored (%s): %s", grantId,
                            e.getMessage(), r);
                }
            } catch (RuntimeException again) {
                LOG.errorf("Could not resolve the refresh of grant %s now (%s); it is resolved once its claim lapses",
                        grantId, again.getMessage());
            }
            throw e;
        }
    }

    private Outcome store(Claim c, Trigger trigger, TokenResponse answer, ProviderException failure, Sealed kept) {
        UUID grantId = c.grantId();
        Grant g = locking.lock(grantId).orElse(null);
        Optional<RefreshAttempts.Abandoned> row = attempts.find(grantId);
        if (row.isEmpty() || !c.claimId().equals(row.get().claimId())) {
            // lapsed and resolved by someone else (who adopted what was kept): this answer is not the grant's any more
            LOG.errorf("INCIDENT: the claim on the refresh of partner %s lapsed before its answer was stored; the "
                    + "answer is dropped (raise gateway.refresh.answer-lost-after above the provider's deadlines)",
                    c.partnerId());
            return new Outcome(g == null ? null : snapshotOrSealed(g), true, failure, null, Held.NO);
        }
        attempts.finish(grantId);
        if (g == null || !g.state.refreshable() || g.refreshToken == null || !holds(g, c.presented())) {
            LOG.warnf("The answer to a refresh of partner %s is dropped: the grant changed while the provider was "
                    + "called (%s)", c.partnerId(), g == null ? "deleted" : g.state);
            return new Outcome(g == null ? null : snapshotOrSealed(g), true, failure, null, Held.NO);
        }
        if (failure != null) {
            recordFailure(g, failure, trigger, kept);
            return new Outcome(snapshot(g), true, failure, g.refreshDueAt, Held.NO);
        }
        lifecycle.refreshed(g, answer, trigger.name());
        incidents.resolve(g.registration);
        return new Outcome(snapshot(g), true, null, null, Held.NO);
    }

    /**
     * Waits until another refresh's claim is gone (stored, failed or resolved), polling with growing pauses.
     *
     * @throws GrantLocking.Busy when it is still there at {@code deadline} ({@link System#nanoTime()})
     */
    private void awaitResult(UUID grantId, UUID claimId, long deadline) {
        long pause = 20;
        while (attempts.inFlight(grantId, claimId)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new GrantLocking.Busy("Another refresh of this grant is taking too long");
            }
            try {
                Thread.sleep(Math.min(pause, TimeUnit.NANOSECONDS.toMillis(left) + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GrantLocking.Busy("Interrupted while waiting for another refresh");
            }
            pause = Math.min(MAX_POLL.toMillis(), pause * 2);
        }
    }

    /**
     * Resolves a refresh of the grant that ended without storing its answer: its claim lapsed (or, with
     * {@code ownClaim}, its own refresh could not store). When the provider's new refresh token was kept and the
     * grant still holds the token that attempt presented, the grant adopts it and is due at once ({@code RECOVERED});
     * when no answer was kept, the answer may be lost: recorded, and one retry at once ({@code LOST}); a row that no
     * longer fits the grant is dropped ({@code OBSOLETE}); a claim whose lease still runs is left alone ({@code NONE}).
     *
     * @param cause why the answer was not stored, when known (else: the process that refreshed is gone)
     * @throws GrantLocking.Busy when the grant is locked longer than {@code lockWait}
     */
    public Resolution resolveAbandoned(UUID grantId, Duration lockWait, String cause) {
        return resolveAbandoned(grantId, lockWait, cause, null);
    }

    private Resolution resolveAbandoned(UUID grantId, Duration lockWait, String cause, UUID ownClaim) {
        return locking.inTransaction(lockWait, () -> {
            Grant g = locking.lock(grantId).orElse(null);
            Optional<RefreshAttempts.Abandoned> found = attempts.find(grantId);
            if (found.isEmpty()) {
                return Resolution.NONE;
            }
            RefreshAttempts.Abandoned a = found.get();
            boolean mine = ownClaim != null && ownClaim.equals(a.claimId());
            if (!mine && !a.lapsed(clock.instant(), config.answerLostAfter())) {
                return Resolution.NONE; // still in flight
            }
            return resolve(g, a, cause);
        });
    }

    /** Resolves {@code a} in the current transaction, which holds the grant's row lock. */
    private Resolution resolve(Grant g, RefreshAttempts.Abandoned a, String cause) {
        attempts.finish(a.grantId());
        String why = cause != null ? cause : "the process that ran it (" + a.owner() + ") is gone";
        if (g == null || !g.state.refreshable() || g.refreshToken == null || !presented(g, a)) {
            LOG.warnf("Dropped an abandoned refresh of grant %s (%s): the grant has changed since (%s)", a.grantId(),
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
    }

    /** Whether the grant still holds the refresh token the abandoned attempt presented. */
    private boolean presented(Grant g, RefreshAttempts.Abandoned a) {
        if (a.presentedSha256() == null) {
            return true; // recorded before presented tokens were: assume it is the grant's
        }
        return holds(g, a.presentedSha256());
    }

    /** Whether the grant's refresh token is the one whose SHA-256 is {@code presentedSha256}. */
    private boolean holds(Grant g, byte[] presentedSha256) {
        String current = cipher.open(new Sealed(g.refreshToken, g.refreshTokenKeyId), GrantService.refreshAd(g.id));
        return MessageDigest.isEqual(presentedSha256, RefreshAttempts.sha256(current));
    }

    /**
     * A refresh that failed in the gateway, not at the provider (the scheduler's last resort): recorded through the
     * lifecycle owner as a failure retried with the usual backoff, so that it neither stops the others nor is
     * retried every tick.
     */
    void failedUnexpectedly(UUID grantId, Trigger trigger, RuntimeException e) {
        locking.inTransaction(config.storeLockWait(), () -> {
            locking.lock(grantId).filter(g -> g.state.refreshable()).ifPresent(g -> recordFailure(g,
                    new ProviderException(ProviderException.Kind.TRANSIENT, 0, null, "The gateway failed unexpectedly "
                            + "while refreshing (" + e.getClass().getSimpleName() + ")", null, e), trigger, null));
            return null;
        });
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

    /** {@link #snapshot}, without the access token when it does not open either (a key incident). */
    private GrantSnapshot snapshotOrSealed(Grant g) {
        try {
            return snapshot(g);
        } catch (DecryptionFailedException e) {
            return new GrantSnapshot(g.id, g.partnerId, g.state, g.stateSince, null, g.accessExpiresAt, g.scope,
                    g.accessLifetimeSeconds);
        }
    }

    private Duration remaining(Grant g) {
        return g.accessExpiresAt == null ? Duration.ZERO : Duration.between(clock.instant(), g.accessExpiresAt);
    }

    private Outcome await(CompletableFuture<Outcome> leader, Duration wait) {
        try {
            return leader.get(wait.toMillis() + 1_000, TimeUnit.MILLISECONDS); // the caller's wait, not the leader's
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
