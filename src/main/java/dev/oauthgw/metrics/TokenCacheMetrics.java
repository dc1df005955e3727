package dev.oauthgw.metrics;

import dev.oauthgw.tokens.TokenCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

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
 * <li>{@code gateway_tokens_cache_listening}: 1 while the listener listens (and the cache serves), else 0.</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class TokenCacheMetrics {

    public TokenCacheMetrics(MeterRegistry registry, TokenCache cache) {
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
                .description("1 while this replica listens for grant changes and serves from its token cache")
                .register(registry);
    }
}
