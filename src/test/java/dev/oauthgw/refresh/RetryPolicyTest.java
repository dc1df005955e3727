package dev.oauthgw.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

/** The refresh retry arithmetic, without Quarkus: exponential backoff with jitter, Retry-After, the expiry. */
class RetryPolicyTest {

    static final RetryPolicy POLICY = new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(30),
            Duration.ofMinutes(5));
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    /** Always the top (true) or the bottom (false) of the jitter range. */
    static RandomGenerator extreme(boolean top) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public long nextLong(long bound) {
                return top ? bound - 1 : 0;
            }
        };
    }

    @Test
    void backoff_doubles_per_failure_within_the_upper_half_and_stops_at_the_cap() {
        assertEquals(Duration.ofSeconds(30), POLICY.backoff(1, Optional.empty(), extreme(true)));
        assertEquals(Duration.ofSeconds(15), POLICY.backoff(1, Optional.empty(), extreme(false)));
        assertEquals(Duration.ofSeconds(60), POLICY.backoff(2, Optional.empty(), extreme(true)));
        assertEquals(Duration.ofSeconds(240), POLICY.backoff(4, Optional.empty(), extreme(true)));
        assertEquals(Duration.ofMinutes(30), POLICY.backoff(7, Optional.empty(), extreme(true)));
        assertEquals(Duration.ofMinutes(30), POLICY.backoff(Integer.MAX_VALUE, Optional.empty(), extreme(true)));
        assertEquals(Duration.ofMinutes(15), POLICY.backoff(Integer.MAX_VALUE, Optional.empty(), extreme(false)));
    }

    @Test
    void a_retry_after_longer_than_the_backoff_wins_even_past_the_cap() {
        assertEquals(Duration.ofMinutes(10), POLICY.backoff(1, Optional.of(Duration.ofMinutes(10)), extreme(true)));
        assertEquals(Duration.ofHours(2), POLICY.backoff(1, Optional.of(Duration.ofHours(2)), extreme(true)));
        assertEquals(Duration.ofSeconds(30), POLICY.backoff(1, Optional.of(Duration.ofSeconds(3)), extreme(true)));
    }

    @Test
    void the_next_attempt_is_moved_before_the_expiry_when_backoff_would_pass_it() {
        Instant expires = NOW.plus(Duration.ofMinutes(20));
        Instant next = POLICY.nextAttempt(12, expires, NOW, Optional.empty(), extreme(true));
        assertEquals(expires.minus(Duration.ofMinutes(5)), next);
    }

    @Test
    void the_next_attempt_keeps_its_backoff_when_that_is_before_the_expiry() {
        Instant expires = NOW.plus(Duration.ofHours(8));
        assertEquals(NOW.plusSeconds(60), POLICY.nextAttempt(2, expires, NOW, Optional.empty(), extreme(true)));
    }

    @Test
    void retry_after_is_never_cut_short_to_save_the_token() {
        Instant expires = NOW.plus(Duration.ofMinutes(20));
        Instant next = POLICY.nextAttempt(12, expires, NOW, Optional.of(Duration.ofMinutes(18)), extreme(true));
        assertTrue(!next.isBefore(NOW.plus(Duration.ofMinutes(18))), next.toString());
    }

    @Test
    void without_an_expiry_the_backoff_is_all_there_is() {
        assertEquals(NOW.plus(Duration.ofMinutes(30)), POLICY.nextAttempt(40, null, NOW, Optional.empty(), extreme(true)));
    }
}
