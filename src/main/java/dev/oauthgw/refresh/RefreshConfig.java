package dev.oauthgw.refresh;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The scheduled refresher and the refresh bookkeeping shared with the inline path (GET /tokens). */
@ConfigMapping(prefix = "gateway.refresh")
public interface RefreshConfig {

    /** How often every replica looks for due grants ({@code off} switches the scheduler off). */
    @WithDefault("30s")
    String tick();

    /** Due grants taken per query ({@code SELECT ... FOR UPDATE SKIP LOCKED LIMIT n}). */
    @WithDefault("20")
    int batchSize();

    /** Refreshes running at once on one replica. */
    @WithDefault("4")
    int concurrency();

    /** Most refreshes one replica starts in one tick. */
    @WithDefault("500")
    int maxPerTick();

    /** Calls to a provider's token endpoint per minute for the whole cluster (Pax8 allows about 1,000). */
    @WithDefault("600")
    int rateBudgetPerMinute();

    /** Share of the budget the scheduler may use; the rest stays for inline refreshes on GET /tokens. */
    @WithDefault("0.8")
    double schedulerBudgetShare();

    /**
     * On shutdown, how long the refreshes in flight may take to finish (and store their answers or give up their claims) before the
     * scheduler's workers are given up; within quarkus.shutdown.timeout.
     */
    @WithDefault("PT20S")
    Duration shutdownTimeout();

    /**
     * How long a scheduled refresh waits for a grant's row lock before leaving it to its holder. {@code PT0S} (the
     * default): not at all, the grant is skipped at once ({@code SKIP LOCKED}), which is ordinary contention between
     * replicas and raises no SQL error or warning; a positive wait ends in a lock timeout when it runs out.
     */
    @WithDefault("PT0S")
    Duration scheduledLockWait();

    /**
     * A grant refreshed this recently (successfully) is not refreshed again inline: GET /tokens callers asking for
     * more validity than it has get the 503, so that no caller can turn /tokens into a flood of provider calls.
     */
    @WithDefault("PT60S")
    Duration inlineCooldown();

    /**
     * The lease of a refresh's claim (ADR 0020): while its {@code refresh_attempt} row is younger than this, nobody else
     * refreshes the grant; an older one ended without storing its answer and is resolved (an incident). Must be longer
     * than any registration's call can last (its request timeout, the call's total deadline) plus
     * {@link #storeLockWait()}: the start-up check refuses less.
     */
    @WithDefault("PT2M")
    Duration answerLostAfter();

    /**
     * What is wrong with the claim's lease: it must outlast every registration's call (its total deadline) and
     * storing its answer, else a refresh still running could be taken for abandoned and its refresh
     * token presented twice.
     */
    static java.util.List<String> problems(RefreshConfig refresh, dev.oauthgw.provider.ProviderConfig providers) {
        java.util.List<String> problems = new java.util.ArrayList<>();
        providers.registrations().forEach((name, r) -> {
            Duration longest = dev.oauthgw.provider.ProviderConfig.boundsOf(r).holdsAtMost().plus(refresh.storeLockWait());
            if (refresh.answerLostAfter().compareTo(longest) <= 0) {
                problems.add("gateway.refresh.answer-lost-after (" + refresh.answerLostAfter() + ") must be longer than "
                        + "the longest refresh of registration '" + name + "' can last: its request-timeout (the call's "
                        + "total deadline, plus a grace) + gateway.refresh.store-lock-wait (" + longest + ")");
            }
        });
        return problems;
    }

    /** How long storing a refresh's answer waits for the grant's row lock (held only for short changes). */
    @WithDefault("PT10S")
    Duration storeLockWait();

    /** While the provider rejects the client credentials, one probe refresh per this interval. */
    @WithDefault("PT5M")
    Duration incidentProbeEvery();

    /** A provider incident also turns readiness DOWN (off by default: stored tokens keep being served). */
    @WithDefault("false")
    boolean incidentFailsReadiness();

    /** First retry delay after a transient failure; doubles with each failure. */
    @WithDefault("PT30S")
    Duration backoffInitial();

    /** Longest retry delay. */
    @WithDefault("PT30M")
    Duration backoffMax();

    /** A retry is moved up to at least this long before the access token expires, where it can be. */
    @WithDefault("PT5M")
    Duration expiryMargin();
}
