package dev.oauthgw.tokens;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The token cache's listener as readiness and metrics show it ({@link GrantChangeListener#status()}).
 *
 * @param enabled            the cache is on ({@code gateway.tokens.cache.enabled})
 * @param serving            GET /tokens is served from the cache now
 * @param listening          the listening connection is up and has LISTENed
 * @param replicaId          this process's name in its heartbeats
 * @param suspension         why the cache does not serve; empty while it serves (and when it is off)
 * @param detail             a few words on the suspension (never a value of the configuration)
 * @param since              when the cache last started or stopped serving
 * @param lastHeartbeatHeard when the listener last heard one of this replica's heartbeats; empty when never
 * @param heartbeatAge       how long ago the newest heartbeat heard since the last LISTEN was sent; the cache serves
 *                           while it is within {@code heartbeatBound}
 * @param heartbeatBound     {@code gateway.tokens.cache.heartbeat-timeout}
 * @param lastRoundTrip      the last heard heartbeat's time from the pool to the listener
 * @param heartbeatsUnheard  heartbeats sent since the last LISTEN and not heard (yet)
 * @param heartbeatsFailed   heartbeats the pool could not send, since the start
 */
public record CacheListenerStatus(boolean enabled, boolean serving, boolean listening, String replicaId,
        Optional<GrantChangeListener.Suspension> suspension, String detail, Instant since,
        Optional<Instant> lastHeartbeatHeard, Optional<Duration> heartbeatAge, Duration heartbeatBound,
        Optional<Duration> lastRoundTrip, int heartbeatsUnheard, long heartbeatsFailed) {
}
