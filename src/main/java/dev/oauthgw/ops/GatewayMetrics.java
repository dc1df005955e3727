package dev.oauthgw.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

import org.jboss.logging.Logger;

import dev.oauthgw.grant.GrantState;
import dev.oauthgw.refresh.GrantRefresher;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * The gateway's own metrics, scraped at {@code /q/metrics} (Prometheus). Tags are low-cardinality
 * (state, trigger, outcome, reason): never a partner id. The grant gauges come from one cheap database
 * read that is reused for {@link OpsConfig#metricsCacheTtl()}, so a scrape storm does not hit the database.
 * <p>
 * Metric names (Prometheus form):
 * <ul>
 * <li>{@code gateway_grants{state}}: grants by state ({@code active}, {@code refresh_failing},
 * {@code reauth_required}, {@code revoked}, {@code pending});</li>
 * <li>{@code gateway_grants_expiring_soon}: active or failing grants whose access token expires within
 * {@code gateway.ops.expiring-soon-within};</li>
 * <li>{@code gateway_grant_earliest_access_expiry_seconds}: seconds until the earliest access-token expiry
 * among active and failing grants (negative: already expired; NaN: none);</li>
 * <li>{@code gateway_refresh_attempts_total{trigger}}, {@code gateway_refresh_successes_total{trigger}},
 * {@code gateway_refresh_failures_total{trigger,reason}}, {@code gateway_refresh_duration_seconds{trigger,outcome}}:
 * refreshes that called the provider;</li>
 * <li>{@code gateway_tokens_requests_seconds{kind,outcome}} (a timer: {@code _count} is the number of requests);</li>
 * <li>{@code gateway_tokens_served_validity_seconds}: remaining validity of the tokens handed out;</li>
 * <li>{@code gateway_provider_rate_budget_used_ratio}, {@code gateway_provider_rate_budget_remaining}: registered
 * by the refresher's rate budget through {@link #rateBudget(DoubleSupplier, DoubleSupplier)};</li>
 * <li>{@code gateway_global_incident}: 1 while a {@link GlobalIncidents} bean reports one, else 0.</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class GatewayMetrics {

    private static final Logger LOG = Logger.getLogger(GatewayMetrics.class);

    /** What the grant gauges show, read at most once per cache period. */
    public record GrantCounts(Map<GrantState, Long> byState, long expiringSoon, Instant earliestAccessExpiry,
            Instant readAt) {
        long count(GrantState s) {
            return byState.getOrDefault(s, 0L);
        }
    }

    private final MeterRegistry registry;
    private final AgroalDataSource dataSource;
    private final Clock clock;
    private final OpsConfig config;
    private final Instance<GlobalIncidents> incidents;
    private final Map<String, Timer> tokenTimers = new java.util.concurrent.ConcurrentHashMap<>();
    private final DistributionSummary servedValidity;
    private volatile GrantCounts cached;
    private volatile boolean budgetRegistered;

    public GatewayMetrics(MeterRegistry registry, AgroalDataSource dataSource, Clock clock, OpsConfig config,
            Instance<GlobalIncidents> incidents) {
        this.registry = registry;
        this.dataSource = dataSource;
        this.clock = clock;
        this.config = config;
        this.incidents = incidents;
        this.servedValidity = DistributionSummary.builder("gateway.tokens.served.validity").baseUnit("seconds")
                .description("Remaining validity of the access tokens handed out")
                .serviceLevelObjectives(60, 300, 900, 1800, 3600, 6 * 3600, 12 * 3600, 24 * 3600)
                .register(registry);
        for (GrantState s : GrantState.values()) {
            Gauge.builder("gateway.grants", this, m -> m.grants().count(s)).tag("state", s.name().toLowerCase(Locale.ROOT))
                    .description("Grants by state").register(registry);
        }
        Gauge.builder("gateway.grants.expiring.soon", this, m -> m.grants().expiringSoon())
                .description("Active or failing grants whose access token expires within gateway.ops.expiring-soon-within")
                .register(registry);
        Gauge.builder("gateway.grant.earliest.access.expiry", this, GatewayMetrics::secondsToEarliestExpiry)
                .baseUnit("seconds")
                .description("Seconds until the earliest access-token expiry among active and failing grants")
                .register(registry);
        Gauge.builder("gateway.global.incident", this, m -> m.incidentActive() ? 1 : 0)
                .description("1 while the provider rejects the vendor's client credentials (global incident)")
                .register(registry);
    }

    // ---- grants (gauges) ----

    /** The grant counts, from the cache when it is fresh enough. */
    public GrantCounts grants() {
        GrantCounts s = cached;
        Instant now = clock.instant();
        if (s == null || Duration.between(s.readAt(), now).compareTo(config.metricsCacheTtl()) >= 0) {
            synchronized (this) {
                s = cached;
                if (s == null || Duration.between(s.readAt(), now).compareTo(config.metricsCacheTtl()) >= 0) {
                    s = read(now, s);
                    cached = s;
                }
            }
        }
        return s;
    }

    /** Forgets the cached grant counts (tests, and right after an operator's action). */
    public void invalidate() {
        cached = null;
    }

    private double secondsToEarliestExpiry() {
        Instant earliest = grants().earliestAccessExpiry();
        return earliest == null ? Double.NaN : Duration.between(clock.instant(), earliest).toMillis() / 1000.0;
    }

    private GrantCounts read(Instant now, GrantCounts previous) {
        Map<GrantState, Long> byState = new EnumMap<>(GrantState.class);
        long soon = 0;
        Instant earliest = null;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("select state, count(*) from partner_grant group by state");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byState.put(GrantState.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select count(*) from partner_grant "
                    + "where state in ('ACTIVE', 'REFRESH_FAILING') and access_expires_at < ?")) {
                ps.setTimestamp(1, Timestamp.from(now.plus(config.expiringSoonWithin())));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    soon = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select min(access_expires_at) from partner_grant "
                    + "where state in ('ACTIVE', 'REFRESH_FAILING')"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp t = rs.getTimestamp(1);
                earliest = t == null ? null : t.toInstant();
            }
        } catch (SQLException e) {
            LOG.warnf("Could not read grant metrics: %s", e.getMessage());
            return previous != null ? previous : new GrantCounts(Map.of(), 0, null, now);
        }
        return new GrantCounts(byState, soon, earliest, now);
    }

    private boolean incidentActive() {
        if (!incidents.isResolvable()) {
            return false;
        }
        try {
            return incidents.get().current().isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---- refresh ----

    /**
     * One refresh as {@link GrantRefresher#refresh} ended. Only attempts that called the provider count;
     * a refresh found unnecessary under the lock (another replica did it) is not an attempt.
     */
    public void refreshAttempt(GrantRefresher.Trigger trigger, GrantRefresher.Outcome outcome, long nanos) {
        if (outcome == null || !outcome.calledProvider()) {
            return;
        }
        String t = trigger.name().toLowerCase(Locale.ROOT);
        Counter.builder("gateway.refresh.attempts").tag("trigger", t)
                .description("Refreshes that called the provider").register(registry).increment();
        String result;
        if (outcome.failure() == null) {
            result = "success";
            Counter.builder("gateway.refresh.successes").tag("trigger", t).register(registry).increment();
        } else {
            result = "failure";
            Counter.builder("gateway.refresh.failures").tag("trigger", t)
                    .tag("reason", outcome.failure().kind().name().toLowerCase(Locale.ROOT))
                    .description("Failed refreshes by reason (invalid_grant, client_rejected, request_rejected, transient, malformed_response)")
                    .register(registry).increment();
        }
        Timer.builder("gateway.refresh.duration").tag("trigger", t).tag("outcome", result)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    // ---- GET /tokens ----

    /** One request to /tokens, whatever its answer (401 and 403 included). */
    public void tokensRequest(String kind, String outcome, long nanos) {
        // on the /tokens hot path: build each (kind, outcome) timer once, then only record
        tokenTimers.computeIfAbsent(kind + '|' + outcome, k -> Timer.builder("gateway.tokens.requests")
                .tag("kind", kind).tag("outcome", outcome)
                .description("Requests to GET /tokens by outcome")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A partner token handed out, valid for {@code remaining} more. */
    public void tokenServed(Duration remaining) {
        servedValidity.record(Math.max(0, remaining.toSeconds()));
    }

    // ---- the refresher's rate budget (registered by its owner) ----

    /**
     * For the refresher's provider rate budget: registers {@code gateway_provider_rate_budget_used_ratio}
     * (share of the budget used in the current window, 0..1) and {@code gateway_provider_rate_budget_remaining}
     * (requests left in the window). Called once by the budget's owner; later calls are ignored.
     */
    public synchronized void rateBudget(DoubleSupplier usedRatio, DoubleSupplier remaining) {
        if (budgetRegistered) {
            return;
        }
        Gauge.builder("gateway.provider.rate.budget.used.ratio", usedRatio, DoubleSupplier::getAsDouble).description(
                "Share of the provider rate budget used in the current window").register(registry);
        Gauge.builder("gateway.provider.rate.budget.remaining", remaining, DoubleSupplier::getAsDouble).description(
                "Provider requests left in the current window").register(registry);
        budgetRegistered = true;
    }
}
