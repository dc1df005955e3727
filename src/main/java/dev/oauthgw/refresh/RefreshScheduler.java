package dev.oauthgw.refresh;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.oauthgw.crypto.DecryptionFailedException;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.grant.Grant;
import dev.oauthgw.grant.GrantLifecycle;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.grant.RefreshOutcome;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.grant.GrantLocking;
import dev.oauthgw.grant.GrantState;
import dev.oauthgw.refresh.GrantRefresher.Held;
import dev.oauthgw.refresh.GrantRefresher.Outcome;
import dev.oauthgw.refresh.GrantRefresher.Trigger;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;

/**
 * Keeps every grant fresh before its expiry, on every replica at once. Each tick: resolve refreshes whose claim
 * lapsed without storing an answer; then take due grants that no refresh has claimed ({@code SELECT ... FOR UPDATE
 * SKIP LOCKED LIMIT n}) and refresh them through {@link GrantRefresher} (claim / call / store: whichever replica
 * claims a grant first refreshes it, the others skip it). Each registration has workers of its own, so a provider
 * that stalls holds only its own grants; the tick waits for a batch at most as long as one call can last (the
 * registration's connect and request deadlines) plus storing it, never longer: a refresh still running then goes on
 * and is counted at the next tick, and its grant stays claimed meanwhile. The cluster-wide rate budget and provider
 * incidents (rejected client credentials pause a registration, one probe per interval) are honoured.
 */
@ApplicationScoped
public class RefreshScheduler {

    private static final Logger LOG = Logger.getLogger(RefreshScheduler.class);
    /** Slack on top of a call's deadlines and its storing before the tick stops waiting for a refresh. */
    private static final Duration WAIT_SLACK = Duration.ofSeconds(2);

    /** What one tick did. {@code running}: refreshes the tick stopped waiting for (they go on, bounded). */
    public record TickReport(int refreshed, int failed, int heldBack, int skipped, int lostAnswers, int running) {
        public TickReport(int refreshed, int failed, int heldBack, int skipped, int lostAnswers) {
            this(refreshed, failed, heldBack, skipped, lostAnswers, 0);
        }
    }

    private final EntityManager em;
    private final GrantRefresher refresher;
    private final ProviderIncidents incidents;
    private final RateBudget budget;
    private final RefreshAttempts attempts;
    private final ProviderRegistry providers;
    private final GrantLifecycle lifecycle;
    private final TokenCipher cipher;
    private final RefreshConfig config;
    private final Clock clock;
    /** Abandoned attempts whose resolution failed unexpectedly, and when to try each again. */
    private final Map<UUID, Instant> unresolvable = new ConcurrentHashMap<>();
    /** Grants handed to a worker and not finished yet: not taken again by the next tick. */
    private final Set<UUID> queued = ConcurrentHashMap.newKeySet();
    /** Workers per registration: a registration whose provider stalls holds only its own. */
    private final Map<String, ExecutorService> workers = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public RefreshScheduler(EntityManager em, GrantRefresher refresher, ProviderIncidents incidents, RateBudget budget,
            RefreshAttempts attempts, ProviderRegistry providers, GrantLifecycle lifecycle, TokenCipher cipher,
            RefreshConfig config, Clock clock) {
        this.em = em;
        this.refresher = refresher;
        this.incidents = incidents;
        this.budget = budget;
        this.attempts = attempts;
        this.providers = providers;
        this.lifecycle = lifecycle;
        this.cipher = cipher;
        this.config = config;
        this.clock = clock;
    }

    void start(@Observes StartupEvent e) {
        try {
            detectLostAnswers(); // a previous process may have died between a provider answer and its commit
        } catch (RuntimeException ex) {
            LOG.errorf(ex, "Could not check for lost refresh answers at start");
        }
        try {
            reopenRestoredKeys();
        } catch (RuntimeException ex) {
            LOG.errorf(ex, "Could not check the grants parked by a key incident at start");
        }
    }

    void stop(@Observes ShutdownEvent e) {
        stopping = true;
        workers.values().forEach(ExecutorService::shutdown);
        long until = System.nanoTime() + config.shutdownTimeout().toNanos();
        try {
            for (ExecutorService w : workers.values()) {
                if (!w.awaitTermination(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warnf("Refreshes still running after %s at shutdown; their claims lapse and a lost answer is "
                            + "resolved by the next replica", config.shutdownTimeout());
                    break;
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    @Scheduled(identity = "grant-refresh", every = "{gateway.refresh.tick}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        TickReport r = tick();
        if (r.refreshed() + r.failed() + r.lostAnswers() + r.running() > 0) {
            LOG.infof("Refresh tick: %d refreshed, %d failed, %d held back, %d skipped, %d lost answers, %d still "
                    + "running", r.refreshed(), r.failed(), r.heldBack(), r.skipped(), r.lostAnswers(), r.running());
        }
    }

    /** One pass: lost answers, then due grants until none is left, the tick's cap, or the budget. */
    public TickReport tick() {
        int lost = detectLostAnswers();
        AtomicInteger refreshed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger held = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        int running = 0;
        Set<String> open = incidents.active().stream().map(ProviderIncidents.Incident::registration)
                .collect(Collectors.toSet());
        Set<String> paused = open.stream().filter(r -> !incidents.takeProbe(r)).collect(Collectors.toSet());
        Set<String> probing = open.stream().filter(r -> !paused.contains(r)).collect(Collectors.toSet());
        int started = 0;
        while (started < config.maxPerTick() && !stopping) {
            int want = Math.min(config.batchSize(), config.maxPerTick() - started);
            if (!probing.isEmpty()) {
                want = 1; // a probe is one refresh
            }
            List<Due> due = selectDue(want, paused);
            if (due.isEmpty()) {
                break;
            }
            started += due.size();
            Map<UUID, Future<Outcome>> batch = new LinkedHashMap<>();
            long waitUntil = System.nanoTime();
            for (Due d : due) {
                if (!queued.add(d.id())) {
                    continue;
                }
                try {
                    batch.put(d.id(), workersOf(d.registration()).submit(() -> {
                        try {
                            return refresher.refresh(d.id(), this::isDue, Trigger.SCHEDULED, config.scheduledLockWait());
                        } finally {
                            queued.remove(d.id());
                        }
                    }));
                    waitUntil = Math.max(waitUntil, System.nanoTime() + bound(d.registration()).toNanos());
                } catch (RejectedExecutionException shuttingDown) {
                    queued.remove(d.id());
                    break; // the application is stopping: the grants left are due for the next replica or start
                }
            }
            boolean budgetSpent = false;
            for (Map.Entry<UUID, Future<Outcome>> entry : batch.entrySet()) {
                try {
                    Outcome o = entry.getValue().get(Math.max(0, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (o.held() == Held.BUDGET) {
                        held.incrementAndGet();
                        budgetSpent = true;
                    } else if (o.failure() != null || o.held() == Held.KEY_UNAVAILABLE) {
                        failed.incrementAndGet();
                    } else if (o.calledProvider()) {
                        refreshed.incrementAndGet();
                    } else {
                        skipped.incrementAndGet();
                    }
                } catch (TimeoutException stillRunning) {
                    running++; // bounded by its own deadlines; its grant stays claimed until it stores
                } catch (ExecutionException ex) {
                    if (ex.getCause() instanceof GrantLocking.Busy) {
                        skipped.incrementAndGet(); // another replica holds it
                    } else {
                        failed.incrementAndGet();
                        failedUnexpectedly(entry.getKey(), ex.getCause());
                    }
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return new TickReport(refreshed.get(), failed.get(), held.get(), skipped.get(), lost, running);
                }
            }
            if (budgetSpent || !probing.isEmpty()) {
                break;
            }
        }
        budget.prune();
        return new TickReport(refreshed.get(), failed.get(), held.get(), skipped.get(), lost, running);
    }

    /** A refresh that threw instead of ending in an outcome: the usual retry policy, through the lifecycle owner. */
    private void failedUnexpectedly(UUID grantId, Throwable cause) {
        LOG.errorf(cause, "Scheduled refresh of grant %s failed unexpectedly; it is retried with backoff", grantId);
        if (cause instanceof RuntimeException re) {
            try {
                refresher.failedUnexpectedly(grantId, Trigger.SCHEDULED, re);
                return;
            } catch (RuntimeException e) {
                LOG.errorf("Could not record the failed refresh of grant %s: %s", grantId, e.getMessage());
            }
        }
    }

    /** How long one refresh of the registration can last: its call's deadlines, storing it, and some slack. */
    Duration bound(String registration) {
        Duration call = Duration.ofSeconds(30);
        try {
            call = providers.get(registration).callBound();
        } catch (RuntimeException unknown) {
            // an unknown registration fails fast in the refresh itself
        }
        return call.plus(config.storeLockWait()).plus(WAIT_SLACK);
    }

    private ExecutorService workersOf(String registration) {
        return workers.computeIfAbsent(registration, r -> {
            AtomicInteger n = new AtomicInteger();
            return Executors.newFixedThreadPool(Math.max(1, config.concurrency()), task -> {
                Thread t = new Thread(task, "grant-refresh-" + r + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        });
    }

    /**
     * Grants parked by a key incident (outcome KEY_UNAVAILABLE, no next attempt) whose refresh token opens again with
     * this process's keyring: due at once, through the lifecycle owner. Run at start-up, when a keyring changes.
     *
     * @return how many were reopened
     */
    public int reopenRestoredKeys() {
        @SuppressWarnings("unchecked")
        List<UUID> parked = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select id from partner_grant where last_refresh_outcome = 'KEY_UNAVAILABLE' and refresh_due_at is null "
                        + "and state = 'REFRESH_FAILING' and refresh_token is not null", UUID.class).getResultList());
        int reopened = 0;
        for (UUID id : parked) {
            reopened += QuarkusTransaction.requiringNew().call(() -> {
                Grant g = em.find(Grant.class, id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
                if (g == null || g.refreshDueAt != null || g.lastRefreshOutcome != RefreshOutcome.KEY_UNAVAILABLE) {
                    return 0;
                }
                try {
                    cipher.open(new Sealed(g.refreshToken, g.refreshTokenKeyId), GrantService.refreshAd(g.id));
                } catch (DecryptionFailedException still) {
                    return 0;
                }
                lifecycle.keyRestored(g);
                return 1;
            });
        }
        if (reopened > 0) {
            LOG.infof("%d grant(s) parked by a key incident decrypt again and are refreshed now", reopened);
        }
        return reopened;
    }

    private boolean isDue(Grant g) {
        return g.refreshDueAt != null && !g.refreshDueAt.isAfter(clock.instant());
    }

    /** A due grant and its registration (whose workers refresh it). */
    record Due(UUID id, String registration) {
    }

    /**
     * Due grants that no refresh has claimed and no other replica is selecting, soonest first, walking the partial index
     * on refresh_due_at; not those already waiting for a worker here.
     */
    List<Due> selectDue(int limit, Set<String> pausedRegistrations) {
        Instant now = clock.instant();
        String[] paused = pausedRegistrations.toArray(String[]::new);
        UUID[] waiting = queued.toArray(UUID[]::new);
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select g.id, g.registration from partner_grant g "
                    + "where g.state in (" + GrantState.REFRESHABLE_SQL + ") and g.refresh_due_at <= ?1 "
                    + "and not (g.registration = any (?2)) and not (g.id = any (?4)) "
                    + "and not exists (select 1 from refresh_attempt a where a.grant_id = g.id) "
                    + "order by g.refresh_due_at limit ?3 for update of g skip locked", Object[].class)
                    .setParameter(1, now).setParameter(2, paused).setParameter(3, limit).setParameter(4, waiting)
                    .getResultList();
            return rows.stream().map(r -> new Due((UUID) r[0], (String) r[1])).toList();
        });
    }

    /**
     * Refreshes that ended without storing their answer (a {@code refresh_attempt} older than the limit whose grant
     * nobody holds): resolved through {@link GrantRefresher#resolveAbandoned} (the kept refresh token adopted, or
     * the answer recorded as lost and retried once). A grant still locked is still being refreshed: left alone.
     *
     * @return how many were resolved (recovered or lost)
     */
    public int detectLostAnswers() {
        int resolved = 0;
        Instant now = clock.instant();
        for (UUID grantId : attempts.startedBefore(now.minus(config.answerLostAfter()))) {
            Instant notBefore = unresolvable.get(grantId);
            if (notBefore != null && now.isBefore(notBefore)) {
                continue;
            }
            try {
                GrantRefresher.Resolution r = refresher.resolveAbandoned(grantId, config.scheduledLockWait(), null);
                unresolvable.remove(grantId);
                if (r == GrantRefresher.Resolution.LOST || r == GrantRefresher.Resolution.RECOVERED) {
                    resolved++;
                }
            } catch (GrantLocking.Busy e) {
                // its refresh is still running somewhere
            } catch (RuntimeException e) {
                // e.g. its grant's key left the keyring: one such grant must not stop every other refresh of the tick
                unresolvable.put(grantId, now.plus(config.backoffMax()));
                LOG.errorf("Could not resolve the abandoned refresh of grant %s (%s); the scheduler goes on and tries it "
                        + "again after %s", grantId, e.getMessage(), config.backoffMax());
            }
        }
        return resolved;
    }
}
