package dev.oauthgw.refresh;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * The provider's rate budget for the whole cluster: every call to a token endpoint first takes a unit
 * from the current minute's row with one atomic upsert that never goes past the limit. The scheduler
 * has its share of the budget and inline refreshes the rest, each counted apart, so neither can starve the other.
 */
@ApplicationScoped
public class RateBudget {

    private final EntityManager em;
    private final RefreshConfig config;
    private final Clock clock;
    private volatile Integer limitOverride;

    public RateBudget(EntityManager em, RefreshConfig config, Clock clock) {
        this.em = em;
        this.config = config;
        this.clock = clock;
    }

    /** Tests only: another limit per minute without a test profile of its own (null: configuration). */
    public void overrideLimit(Integer perMinute) {
        this.limitOverride = perMinute;
    }

    public int limitPerMinute() {
        Integer o = limitOverride;
        return o != null ? o : config.rateBudgetPerMinute();
    }

    /**
     * Takes one call from the budget; false when this caller's share for the minute is spent. The scheduler (and
     * the operators' forced refreshes) share {@code scheduler-budget-share} of the limit; inline refreshes on
     * GET /tokens have the rest, counted apart, so that callers can never take what the scheduler needs. Joins the
     * caller's transaction when there is one (a refresh's claim: no second connection), else runs in its own.
     */
    public boolean tryAcquire(String registration, boolean scheduled) {
        int schedulerShare = schedulerLimit();
        Instant window = clock.instant().truncatedTo(ChronoUnit.MINUTES);
        String column = scheduled ? "used" : "inline_used";
        int limit = scheduled ? schedulerShare : inlineLimit();
        List<?> taken = QuarkusTransaction.joiningExisting().call(() -> em.createNativeQuery(
                "insert into provider_rate_budget as b (registration, window_start, used, inline_used) "
                        + "values (?1, ?2, ?4, ?5) on conflict (registration, window_start) do update set "
                        + column + " = b." + column + " + 1 where b." + column + " < ?3 returning b.used")
                .setParameter(1, registration).setParameter(2, window).setParameter(3, limit)
                .setParameter(4, scheduled ? 1 : 0).setParameter(5, scheduled ? 0 : 1).getResultList());
        return !taken.isEmpty();
    }

    /** Calls per minute for the scheduler and forced refreshes. */
    public int schedulerLimit() {
        return Math.max(1, (int) Math.floor(limitPerMinute() * config.schedulerBudgetShare()));
    }

    /** Calls per minute for inline refreshes on GET /tokens: the rest of the limit, at least one. */
    public int inlineLimit() {
        return Math.max(1, limitPerMinute() - schedulerLimit());
    }

    /** Calls taken in the current minute. */
    public int usedThisMinute(String registration) {
        Instant window = clock.instant().truncatedTo(ChronoUnit.MINUTES);
        List<?> r = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select used + inline_used from provider_rate_budget where registration = ?1 and window_start = ?2")
                .setParameter(1, registration).setParameter(2, window).getResultList());
        return r.isEmpty() ? 0 : ((Number) r.get(0)).intValue();
    }

    /** When the next minute starts. */
    public Duration untilNextWindow() {
        Instant now = clock.instant();
        return Duration.between(now, now.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES));
    }

    /** Drops windows older than an hour. */
    public void prune() {
        Instant cutoff = clock.instant().minus(Duration.ofHours(1));
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "delete from provider_rate_budget where window_start < ?1").setParameter(1, cutoff).executeUpdate());
    }
}
