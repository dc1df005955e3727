package dev.oauthgw.metrics;

import dev.oauthgw.tokens.CacheHeartbeat;
import dev.oauthgw.tokens.CacheHeartbeatHeard;
import dev.oauthgw.tokens.CacheListenerStatus;
import dev.oauthgw.tokens.GrantChangeListener;
import dev.oauthgw.tokens.GrantChangeListener.Suspension;
import dev.oauthgw.tokens.TokenCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The token cache's meters, read from {@link TokenCache} at each scrape (Prometheus names):
 * <ul>
 * <li>{@code gateway_tokens_cache_lookups_total{result}}: {@code hit}, {@code miss}, and {@code bypass} (the cache
 * was off or its listener not listening, so the database was read);</li>
 * <li>{@code gateway_tokens_cache_invalidations_total}: grant changes announced by the database;</li>
 * <li>{@code gateway_tokens_cache_evictions_total}: entries dropped for the size bound or the ttl;</li>
 * <li>{@code gateway_tokens_cache_refused_stores_total}: database reads not cached because a change raced them;</li>
 * <li>{@code gateway_tokens_cache_flushes_total}: whole-cache drops (the listener connected again);</li>
 * <li>{@code gateway_tokens_cache_entries}: entries now;</li>
 * <li>{@code gateway_tokens_cache_listening}: 1 while the cache serves (its listener listens and hears its
 * heartbeat), else 0;</li>
 * <li>{@code gateway_tokens_cache_suspended{reason}}: 1 for the reason the cache does not serve now (the cache on),
 * else 0; {@code reason} is {@code starting}, {@code connection_lost}, {@code heartbeat_missed},
 * {@code listener_failed} or {@code stopped};</li>
 * <li>{@code gateway_tokens_cache_suspensions_total{reason}}: times the cache stopped serving, by reason;</li>
 * <li>{@code gateway_tokens_cache_heartbeat_age_seconds}: how long ago the newest heartbeat the listener heard was
 * sent (the cache serves while it is within {@code gateway.tokens.cache.heartbeat-timeout}); NaN when none was heard
 * since the listener connected;</li>
 * <li>{@code gateway_tokens_cache_heartbeat_round_trip_seconds}: heartbeats heard, from the pool to the listener
 * (a timer);</li>
 * <li>{@code gateway_tokens_cache_heartbeat_failures_total}: heartbeats the pool could not send.</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class TokenCacheMetrics {

    private final Timer heartbeatRoundTrip;

    public TokenCacheMetrics(MeterRegistry registry, TokenCache cache, GrantChangeListener listener,
            CacheHeartbeat heartbeat) {
        FunctionCounter.builder("gateway.tokens.cache.lookups", cache, TokenCache::hits).tag("result", "hit")
                .description("GET /tokens lookups in this replica's token cache").register(registry);
        FunctionCounter.builder("gateway.tokens.cache.lookups", cache, TokenCache::misses).tag("result", "miss")
                .description("GET /tokens lookups in this replica's token cache").register(registry);
        FunctionCounter.builder("gateway.tokens.cache.lookups", cache, TokenCache::bypassed).tag("result", "bypass")
                .description("GET /tokens lookups in this replica's token cache").register(registry);
        FunctionCounter.builder("gateway.tokens.cache.invalidations", cache, TokenCache::invalidations)
                .description("Grant changes announced by the database (LISTEN/NOTIFY)").register(registry);
        FunctionCounter.builder("gateway.tokens.cache.evictions", cache, TokenCache::evictions)
                .description("Token cache entries dropped for the size bound or the ttl").register(registry);
        FunctionCounter.builder("gateway.tokens.cache.refused.stores", cache, TokenCache::refusedStores)
                .description("Database reads not cached because a grant change raced them").register(registry);
        FunctionCounter.builder("gateway.tokens.cache.flushes", cache, TokenCache::flushes)
                .description("Whole token cache drops (the listener connected again)").register(registry);
        Gauge.builder("gateway.tokens.cache.entries", cache, TokenCache::size)
                .description("Entries in this replica's token cache").register(registry);
        Gauge.builder("gateway.tokens.cache.listening", cache, c -> c.serving() ? 1 : 0)
                .description("1 while this replica listens for grant changes, hears its heartbeat and serves from its "
                        + "token cache")
                .register(registry);
        for (Suspension reason : Suspension.values()) {
            Gauge.builder("gateway.tokens.cache.suspended", listener, l -> suspendedFor(l.status(), reason))
                    .tag("reason", reason.label())
                    .description("1 while this replica's token cache does not serve, for this reason").register(registry);
            FunctionCounter.builder("gateway.tokens.cache.suspensions", listener, l -> l.suspensions(reason))
                    .tag("reason", reason.label())
                    .description("Times this replica's token cache stopped serving, by reason").register(registry);
        }
        Gauge.builder("gateway.tokens.cache.heartbeat.age", heartbeat,
                h -> h.age().map(a -> a.toNanos() / 1e9).orElse(Double.NaN))
                .baseUnit("seconds")
                .description("How long ago the newest heartbeat the token cache's listener heard was sent")
                .register(registry);
        FunctionCounter.builder("gateway.tokens.cache.heartbeat.failures", heartbeat, CacheHeartbeat::failures)
                .description("Token cache heartbeats the connection pool could not send").register(registry);
        heartbeatRoundTrip = Timer.builder("gateway.tokens.cache.heartbeat.round.trip")
                .description("Token cache heartbeats heard: from the connection pool to the listening connection")
                .register(registry);
    }

    private static double suspendedFor(CacheListenerStatus s, Suspension reason) {
        return s.suspension().filter(r -> r == reason).isPresent() ? 1 : 0;
    }

    /** On the listener's thread: only records. */
    void heard(@Observes CacheHeartbeatHeard h) {
        heartbeatRoundTrip.record(h.roundTrip());
    }
}
