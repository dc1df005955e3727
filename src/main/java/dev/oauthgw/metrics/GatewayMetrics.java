package dev.oauthgw.metrics;

import dev.oauthgw.ops.OpsConfig;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.oauthgw.audit.TokenAccessRecorder;
import dev.oauthgw.grant.GrantChanged;
import dev.oauthgw.grant.GrantState;
import dev.oauthgw.grant.GrantStatistics;
import dev.oauthgw.provider.ProviderConfig;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.proxy.ProxyBudget;
import dev.oauthgw.proxy.ProxyCalled;
import dev.oauthgw.refresh.ProviderIncidents;
import dev.oauthgw.refresh.RateBudget;
import dev.oauthgw.tokens.TokenServed;
import dev.oauthgw.refresh.GrantRefresher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;

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
 * <li>{@code gateway_provider_rate_budget_used_ratio}, {@code gateway_provider_rate_budget_remaining}: read
 * from the refresher's rate budget at each scrape;</li>
 * <li>{@code gateway_audit_token_access_dropped_total}, {@code gateway_audit_token_access_queued}: token access
 * records refused by the database (each logged), and waiting to be written;</li>
 * <li>{@code gateway_refresh_rotation_exposure_seconds}: from reading a refresh answer to having its new refresh
 * token committed (the window in which a crash loses it);</li>
 * <li>{@code gateway_grants_key_unavailable}: grants parked by a key incident (their refresh token does not decrypt
 * with the keyring);</li>
 * <li>{@code gateway_global_incident}: 1 while the refresher reports a provider incident, else 0;</li>
 * <li>{@code gateway_proxy_requests_total{registration,method_class,status_class,source}}: proxied calls by who
 * answered ({@code provider}, {@code gateway});</li>
 * <li>{@code gateway_proxy_upstream_seconds{registration}}: the provider's time to its response headers;</li>
 * <li>{@code gateway_proxy_budget_leased{registration}}, {@code gateway_proxy_budget_limit{registration}}: the
 * cluster's proxy budget in the current window (read from the database at each scrape).</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class GatewayMetrics {

    private static final Logger LOG = Logger.getLogger(GatewayMetrics.class);

    /** What the grant gauges show, read at most once per cache period. */
    public record GrantCounts(GrantStatistics.Counts counts, Instant readAt) {
        long count(GrantState s) {
            return counts == null ? 0 : counts.count(s);
        }

        long expiringSoon() {
            return counts == null ? 0 : counts.expiringSoon();
        }

        long keyUnavailable() {
            return counts == null ? 0 : counts.keyUnavailable();
        }

        Instant earliestAccessExpiry() {
            return counts == null ? null : counts.earliestAccessExpiry();
        }
    }

    private final MeterRegistry registry;
    private final GrantStatistics statistics;
    private final Clock clock;
    private final OpsConfig config;
    private final ProviderIncidents incidents;
    private final Map<String, Timer> tokenTimers = new java.util.concurrent.ConcurrentHashMap<>();
    private final DistributionSummary servedValidity;
    private volatile GrantCounts cached;
    private final Timer rotationExposure;
    private final Map<String, Counter> proxyCounters = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Timer> proxyTimers = new java.util.concurrent.ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry registry, GrantStatistics statistics, Clock clock, OpsConfig config,
            ProviderIncidents incidents, RateBudget budget, ProviderRegistry providers, TokenAccessRecorder recorder,
            ProxyBudget proxyBudget, ProviderConfig providerConfig) {
        this.registry = registry;
        this.statistics = statistics;
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
        Gauge.builder("gateway.grants.key.unavailable", this, m -> m.grants().keyUnavailable())
                .description("Grants whose refresh token the keyring cannot decrypt (a key-management incident)")
                .register(registry);
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
        this.rotationExposure = Timer.builder("gateway.refresh.rotation.exposure")
                .description("From reading a refresh answer to having its new refresh token committed: the only window "
                        + "in which a crash of this process loses it")
                .publishPercentiles(0.5, 0.99, 0.999).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        FunctionCounter.builder("gateway.audit.token.access.dropped", recorder, TokenAccessRecorder::dropped)
                .description("Token access rows the database refused for their data (each one logged)")
                .register(registry);
        Gauge.builder("gateway.audit.token.access.pending", recorder, TokenAccessRecorder::pending)
                .description("Distinct (caller, token) keys counted in memory and not written yet").register(registry);
        FunctionCounter.builder("gateway.audit.token.access.upserted", recorder, TokenAccessRecorder::written)
                .description("Token access rows upserted (one row counts every serve of one token to one caller "
                        + "since the last write)")
                .register(registry);
        FunctionCounter.builder("gateway.audit.token.access.flushed.early", recorder, TokenAccessRecorder::flushedEarly)
                .description("Requests that found the pending keys at gateway.audit.token-access.max-pending and wrote "
                        + "their own row")
                .register(registry);
        // the default registration's share of the provider rate budget, read from the database at each scrape
        String registration = providers.defaultProvider().name();
        Gauge.builder("gateway.provider.rate.budget.used.ratio", budget,
                b -> b.usedThisMinute(registration) / (double) b.limitPerMinute())
                .description("Share of the provider rate budget used in the current window").register(registry);
        Gauge.builder("gateway.provider.rate.budget.remaining", budget,
                b -> Math.max(0, b.limitPerMinute() - b.usedThisMinute(registration)))
                .description("Provider requests left in the current window").register(registry);
        // the proxy's budget per registration with an API behind the proxy
        providerConfig.registrations().forEach((name, r) -> {
            if (r.api().baseUrl().isPresent()) {
                Gauge.builder("gateway.proxy.budget.leased", proxyBudget, b -> b.leasedThisWindow(name))
                        .tag("registration", name)
                        .description("Proxy requests leased by all replicas in the current window").register(registry);
                Gauge.builder("gateway.proxy.budget.limit", r, x -> x.api().budgetPerWindow())
                        .tag("registration", name).description("Proxy requests allowed per window").register(registry);
            }
        });
    }

    // ---- the proxy ----

    /** One proxied call, answered by the provider or by the gateway. */
    void proxyCalled(@Observes ProxyCalled c) {
        String key = c.registration() + '|' + c.methodClass() + '|' + c.statusClass() + '|' + c.source();
        proxyCounters.computeIfAbsent(key, k -> Counter.builder("gateway.proxy.requests")
                .tag("registration", c.registration()).tag("method_class", c.methodClass())
                .tag("status_class", c.statusClass()).tag("source", c.source())
                .description("Calls through the proxy by registration, method class, status class and who answered")
                .register(registry)).increment();
        if (c.upstreamNanos() >= 0) {
            proxyTimers.computeIfAbsent(c.registration(), r -> Timer.builder("gateway.proxy.upstream")
                    .tag("registration", r).description("The provider's time to its response headers")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(60)).register(registry))
                    .record(c.upstreamNanos(), TimeUnit.NANOSECONDS);
        }
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

    /** Forgets the cached grant counts (tests, and after every committed grant change). */
    public void invalidate() {
        cached = null;
    }

    void grantChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) GrantChanged change) {
        invalidate();
    }

    private double secondsToEarliestExpiry() {
        Instant earliest = grants().earliestAccessExpiry();
        return earliest == null ? Double.NaN : Duration.between(clock.instant(), earliest).toMillis() / 1000.0;
    }

    private GrantCounts read(Instant now, GrantCounts previous) {
        try {
            return new GrantCounts(statistics.counts(now.plus(config.expiringSoonWithin())), now);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Could not read grant metrics: %s", e.getMessage());
            return previous != null ? previous : new GrantCounts(null, now);
        }
    }

    private boolean incidentActive() {
        try {
            return incidents.current().isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---- refresh ----

    /**
     * One refresh as {@link GrantRefresher#refresh} ended. Only attempts that called the provider count;
     * a refresh found unnecessary under the lock (another replica did it) is not an attempt.
     */
    void refreshAttempted(@Observes GrantRefresher.Attempted attempt) {
        if (attempt.outcome() != null && attempt.outcome().held() == GrantRefresher.Held.KEY_UNAVAILABLE) {
            Counter.builder("gateway.refresh.key.unavailable")
                    .description("Refreshes not attempted because the grant's refresh token cannot be decrypted with "
                            + "the keyring (a key-management incident)")
                    .register(registry).increment();
        }
        refreshAttempt(attempt.trigger(), attempt.outcome(), attempt.nanos());
        if (attempt.exposureNanos() >= 0) {
            rotationExposure.record(attempt.exposureNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void refreshAttempt(GrantRefresher.Trigger trigger, GrantRefresher.Outcome outcome, long nanos) {
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
    void tokenServed(@Observes TokenServed served) {
        servedValidity.record(Math.max(0, served.remaining().toSeconds()));
    }
}
