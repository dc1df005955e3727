package dev.oauthgw.common;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with jitter, shared by everything that retries (refreshes, webhook deliveries). */
public final class Backoff {

    private Backoff() {
    }

    /**
     * The delay before attempt number {@code attempt + 1} after {@code attempt} failures in a row:
     * {@code initial * 2^(attempt-1)}, capped at {@code max}, then a random point in its upper half (so that
     * many retries started together spread out). Never overflows, whatever {@code attempt} is.
     */
    public static Duration jittered(int attempt, Duration initial, Duration max, RandomGenerator random) {
        long base = Math.max(1, initial.toMillis());
        long cap = Math.max(base, max.toMillis());
        int shift = Math.min(30, Math.max(0, attempt - 1));
        long exp = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
        return Duration.ofMillis(exp / 2 + random.nextLong(exp / 2 + 1));
    }
}
