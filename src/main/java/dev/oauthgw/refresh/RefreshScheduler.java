package dev.oauthgw.refresh;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.oauthgw.grant.Grant;
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
 * Keeps every grant fresh before its expiry, on every replica at once. Each tick: report refreshes whose
 * answer was lost; then take due grants with {@code SELECT ... FOR UPDATE SKIP LOCKED LIMIT n} (rows that
 * another replica is refreshing are skipped) and refresh them with bounded concurrency through
 * {@link GrantRefresher}, which takes each grant's row lock again and re-checks that it is still due, so
 * that a grant is never refreshed twice, whichever replica picked it. The cluster-wide rate budget and
 * provider incidents (rejected client credentials pause a registration, one probe per interval) are
 * honoured.
 */
@ApplicationScoped
public class RefreshScheduler {

    private static final Logger LOG = Logger.getLogger(RefreshScheduler.class);

    /** What one tick did. */
    public record TickReport(int refreshed, int failed, int heldBack, int skipped, int lostAnswers) {
    }

    private final EntityManager em;
    private final GrantRefresher refresher;
    private final ProviderIncidents incidents;
    private final RateBudget budget;
    private final RefreshAttempts attempts;
    private final RefreshConfig config;
    private final Clock clock;
    /** Abandoned attempts whose resolution failed unexpectedly, and when to try each again. */
    private final Map<UUID, Instant> unresolvable = new ConcurrentHashMap<>();
    private ExecutorService workers;

    public RefreshScheduler(EntityManager em, GrantRefresher refresher, ProviderIncidents incidents, RateBudget budget,
            RefreshAttempts attempts, RefreshConfig config, Clock clock) {
        this.em = em;
        this.refresher = refresher;
        this.incidents = incidents;
        this.budget = budget;
        this.attempts = attempts;
        this.config = config;
        this.clock = clock;
    }

    void start(@Observes StartupEvent e) {
        workers = Executors.newFixedThreadPool(Math.max(1, config.concurrency()), r -> {
            Thread t = new Thread(r, "grant-refresh");
            t.setDaemon(true);
            return t;
        });
        try {
            detectLostAnswers(); // a previous process may have died between a provider answer and its commit
        } catch (RuntimeException ex) {
            LOG.errorf(ex, "Could not check for lost refresh answers at start");
        }
    }

    void stop(@Observes ShutdownEvent e) {
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warnf("Refreshes still running after %s at shutdown; their transactions roll back and a lost "
                            + "answer is resolved by the next replica", config.shutdownTimeout());
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Scheduled(identity = "grant-refresh", every = "{gateway.refresh.tick}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        TickReport r = tick();
        if (r.refreshed() + r.failed() + r.lostAnswers() > 0) {
            LOG.infof("Refresh tick: %d refreshed, %d failed, %d held back, %d skipped, %d lost answers", r.refreshed(),
                    r.failed(), r.heldBack(), r.skipped(), r.lostAnswers());
        }
    }

    /** One pass: lost answers, then due grants until none is left, the tick's cap, or the budget. */
    public TickReport tick() {
        int lost = detectLostAnswers();
        AtomicInteger refreshed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger held = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        Set<String> open = incidents.active().stream().map(ProviderIncidents.Incident::registration)
                .collect(Collectors.toSet());
        Set<String> paused = open.stream().filter(r -> !incidents.takeProbe(r)).collect(Collectors.toSet());
        Set<String> probing = open.stream().filter(r -> !paused.contains(r)).collect(Collectors.toSet());
        int started = 0;
        while (started < config.maxPerTick()) {
            int want = Math.min(config.batchSize(), config.maxPerTick() - started);
            if (!probing.isEmpty()) {
                want = 1; // a probe is one refresh
            }
            List<UUID> due = selectDue(want, paused);
            if (due.isEmpty()) {
                break;
            }
            started += due.size();
            List<Future<Outcome>> running = new ArrayList<>();
            for (UUID id : due) {
                try {
                    running.add(workers.submit(() -> refresher.refresh(id, this::isDue, Trigger.SCHEDULED,
                            config.scheduledLockWait())));
                } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                    break; // the application is stopping: the grants left are due for the next replica or start
                }
            }
            if (workers.isShutdown()) {
                started = config.maxPerTick(); // no further batch while stopping
            }
            boolean budgetSpent = false;
            for (int i = 0; i < running.size(); i++) {
                Future<Outcome> f = running.get(i);
                try {
                    Outcome o = f.get();
                    if (o.held() == Held.BUDGET) {
                        held.incrementAndGet();
                        budgetSpent = true;
                    } else if (o.failure() != null) {
                        failed.incrementAndGet();
                    } else if (o.calledProvider()) {
                        refreshed.incrementAndGet();
                    } else {
                        skipped.incrementAndGet();
                    }
                } catch (java.util.concurrent.ExecutionException ex) {
                    if (ex.getCause() instanceof GrantLocking.Busy) {
                        skipped.incrementAndGet(); // another replica holds it
                    } else {
                        failed.incrementAndGet();
                        LOG.errorf(ex.getCause(), "Scheduled refresh of grant %s failed unexpectedly; it is tried "
                                + "again in %s", due.get(i), config.backoffMax());
                        defer(due.get(i)); // a grant that always fails (e.g. its key left the keyring) must not
                                           // take every tick's batch from the others
                    }
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return new TickReport(refreshed.get(), failed.get(), held.get(), skipped.get(), lost);
                }
            }
            if (budgetSpent || !probing.isEmpty()) {
                break;
            }
        }
        budget.prune();
        return new TickReport(refreshed.get(), failed.get(), held.get(), skipped.get(), lost);
    }

    /** Moves a grant whose refresh failed unexpectedly out of the next ticks' way (not a state change). */
    private void defer(UUID grantId) {
        try {
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                    "update partner_grant set refresh_due_at = ?1 where id = ?2")
                    .setParameter(1, clock.instant().plus(config.backoffMax())).setParameter(2, grantId)
                    .executeUpdate());
        } catch (RuntimeException e) {
            LOG.errorf("Could not defer the refresh of grant %s: %s", grantId, e.getMessage());
        }
    }

    private boolean isDue(Grant g) {
        return g.refreshDueAt != null && !g.refreshDueAt.isAfter(clock.instant());
    }

    /** Due grants not locked by anyone, soonest first, walking the partial index on refresh_due_at. */
    List<UUID> selectDue(int limit, Set<String> pausedRegistrations) {
        Instant now = clock.instant();
        String[] paused = pausedRegistrations.toArray(String[]::new);
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<UUID> ids = em.createNativeQuery("select id from partner_grant "
                    + "where state in (" + GrantState.REFRESHABLE_SQL + ") and refresh_due_at <= ?1 "
                    + "and not (registration = any (?2)) "
                    + "order by refresh_due_at limit ?3 for update skip locked", UUID.class)
                    .setParameter(1, now).setParameter(2, paused).setParameter(3, limit).getResultList();
            return ids;
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
