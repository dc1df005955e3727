package dev.oauthgw.tokens;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** GET /tokens: how long a served token must stay valid, and the vendor's own client-credentials tokens. */
@ConfigMapping(prefix = "gateway.tokens")
public interface TokensConfig {

    /** A served token stays valid at least this long unless the caller asks otherwise ({@code min_valid}). */
    @WithDefault("PT5M")
    Duration minValidity();

    /** The most a caller may ask for with {@code min_valid}. */
    @WithDefault("PT6H")
    Duration maxMinValidity();

    /**
     * A caller's JWT must carry a {@code partners} claim naming the partners whose tokens it may read ({@code *}
     * for all); without it, GET /tokens/{partnerId} answers 403. Off (a JWT without the claim reads every partner)
     * only in dev and tests.
     */
    @WithDefault("true")
    boolean requirePartnersClaim();

    /** How long a caller waits for another caller's (or replica's) refresh of the same grant. */
    @WithDefault("PT15S")
    Duration lockWait();

    /** Retry-After on a 503 when the provider did not say. */
    @WithDefault("PT30S")
    Duration retryAfter();

    /** How often the vendor tokens are checked for renewal ({@code off} switches the check off). */
    @WithDefault("60s")
    String vendorCheckEvery();

    /** The per-replica cache of sealed partner tokens (docs/adr/0014-sealed-token-cache.md). */
    CacheConfig cache();

    interface CacheConfig {
        /** Off: every GET /tokens reads the database, and no listening connection is held. */
        @WithDefault("true")
        boolean enabled();

        /** The most partners cached per replica (about 1 KB each); the default holds every Pax8 partner. */
        @WithDefault("40000")
        long maxEntries();

        /**
         * An entry is read from the database again after this long at the latest. A safety net only: every
         * committed change already evicts it on every replica (LISTEN/NOTIFY).
         */
        @WithDefault("PT10M")
        Duration ttl();

        /** How long the listener waits before connecting again after its connection failed. */
        @WithDefault("PT1S")
        Duration listenerRetry();

        /**
         * How often this replica writes a heartbeat through its connection pool ({@code pg_notify} on
         * {@value GrantChangeListener#HEARTBEAT_CHANNEL}) for its own listener to hear. Whole seconds (the scheduler's
         * granularity), at least one.
         */
        @WithDefault("PT2S")
        Duration heartbeatEvery();

        /**
         * The cache serves only while the newest heartbeat its listener heard was sent at most this long ago; past
         * it, the cache is suspended (every GET /tokens reads the database) until a heartbeat is heard again. At least
         * twice {@link #heartbeatEvery()}.
         */
        @WithDefault("PT10S")
        Duration heartbeatTimeout();
    }

    /** What is wrong with the cache's settings (settings named, values never printed); empty when nothing is. */
    static List<String> problems(TokensConfig config) {
        CacheConfig c = config.cache();
        List<String> problems = new ArrayList<>();
        if (!c.enabled()) {
            return problems;
        }
        if (c.heartbeatEvery().compareTo(Duration.ofSeconds(1)) < 0 || c.heartbeatEvery().toNanos() % 1_000_000_000L != 0) {
            problems.add("gateway.tokens.cache.heartbeat-every (GATEWAY_TOKENS_CACHE_HEARTBEAT_EVERY) must be whole "
                    + "seconds, at least PT1S");
        }
        if (c.heartbeatTimeout().compareTo(c.heartbeatEvery().multipliedBy(2)) < 0) {
            problems.add("gateway.tokens.cache.heartbeat-timeout (GATEWAY_TOKENS_CACHE_HEARTBEAT_TIMEOUT) must be at "
                    + "least twice gateway.tokens.cache.heartbeat-every, or the cache would stop serving between two "
                    + "heartbeats");
        }
        return problems;
    }

    /** The vendor's own client-credentials tokens, by name: GET /tokens/vendor/{name}. */
    Map<String, VendorAudience> vendor();

    interface VendorAudience {
        /** e.g. https://api.pax8.com (a partner's own keys), api://provisioning, api://usage */
        String audience();

        /** The provider registration whose client credentials are used. */
        @WithDefault("pax8")
        String registration();
    }
}
