package dev.oauthgw.refresh;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

import dev.oauthgw.common.Backoff;

/**
 * When to try a grant's refresh again after a transient failure: exponential backoff with jitter, never
 * sooner than the provider's Retry-After, and moved up to before the access token's expiry (less the
 * margin) where that is still later than the Retry-After allows, so that a retry still has a chance to
 * save the token.
 */
record RetryPolicy(Duration initial, Duration max, Duration expiryMargin) {

    static RetryPolicy of(RefreshConfig config) {
        return new RetryPolicy(config.backoffInitial(), config.backoffMax(), config.expiryMargin());
    }

    /** The delay after {@code failures} failures in a row, never shorter than the provider's Retry-After. */
    Duration backoff(int failures, Optional<Duration> retryAfter, RandomGenerator random) {
        Duration d = Backoff.jittered(failures, initial, max, random);
        return retryAfter.filter(r -> r.compareTo(d) > 0).orElse(d);
    }

    /** The next attempt after {@code failures} failures in a row, the latest of which happened {@code now}. */
    Instant nextAttempt(int failures, Instant accessExpiresAt, Instant now, Optional<Duration> retryAfter,
            RandomGenerator random) {
        Instant next = now.plus(backoff(failures, retryAfter, random));
        if (accessExpiresAt != null) {
            Instant latestUseful = accessExpiresAt.minus(expiryMargin);
            Instant earliest = now.plus(retryAfter.orElse(Duration.ofSeconds(1)));
            if (next.isAfter(latestUseful) && latestUseful.isAfter(earliest)) {
                next = latestUseful;
            }
        }
        return next;
    }
}
