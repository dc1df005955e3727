package dev.oauthgw.tokens;

import java.time.Duration;

/**
 * The token cache's listener heard one of this replica's own heartbeats ({@link CacheHeartbeat}); fired synchronously
 * on the listener's thread, so observers must be quick and must not block (metrics record the round trip). Whatever
 * an observer throws, an {@link Error} too, suspends the cache until the listener has recovered.
 *
 * @param roundTrip from sending the ping through the pool to hearing it on the listening connection
 */
public record CacheHeartbeatHeard(Duration roundTrip) {
}
