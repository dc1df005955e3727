package dev.oauthgw.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

/** Retry timing, without Quarkus. */
class WebhookBackoffTest {

    private static final Duration INITIAL = Duration.ofSeconds(10);
    private static final Duration MAX = Duration.ofHours(1);

    /** A generator that always answers its bound - 1 (the longest jittered delay) or 0 (the shortest). */
    private static RandomGenerator extreme(boolean longest) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public long nextLong(long bound) {
                return longest ? bound - 1 : 0;
            }
        };
    }

    private static Duration backoff(int attempts, RandomGenerator r) {
        return WebhookSender.backoff(attempts, Optional.empty(), INITIAL, MAX, r);
    }

    @Test
    void backoff_doubles_from_the_initial_delay_up_to_the_cap_with_jitter_down_to_half() {
        assertEquals(Duration.ofSeconds(10), backoff(1, extreme(true)));
        assertEquals(Duration.ofSeconds(5), backoff(1, extreme(false)));
        assertEquals(Duration.ofSeconds(20), backoff(2, extreme(true)));
        assertEquals(Duration.ofSeconds(40), backoff(3, extreme(true)));
        assertEquals(MAX, backoff(12, extreme(true)));
        assertEquals(MAX.dividedBy(2), backoff(12, extreme(false)));
        assertEquals(MAX, backoff(1000, extreme(true)));
    }

    @Test
    void until_the_cap_the_shortest_delay_of_an_attempt_is_never_below_the_longest_of_the_one_before() {
        for (int a = 1; a < 9; a++) { // 10 s * 2^8 = 2560 s: the next doubling hits the 1 h cap
            assertTrue(backoff(a + 1, extreme(false)).compareTo(backoff(a, extreme(true))) >= 0, "attempt " + a);
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 1000; i++) {
            Duration d = backoff(3, random);
            assertTrue(d.compareTo(Duration.ofSeconds(20)) >= 0 && d.compareTo(Duration.ofSeconds(40)) <= 0, d.toString());
        }
    }

    @Test
    void retry_after_is_honoured_up_to_the_cap() {
        assertEquals(Duration.ofMinutes(30),
                WebhookSender.backoff(1, Optional.of(Duration.ofMinutes(30)), INITIAL, MAX, extreme(true)));
        assertEquals(MAX, WebhookSender.backoff(1, Optional.of(Duration.ofDays(2)), INITIAL, MAX, extreme(true)));
        assertEquals(Duration.ofSeconds(40),
                WebhookSender.backoff(3, Optional.of(Duration.ofSeconds(1)), INITIAL, MAX, extreme(true)));
    }

    @Test
    void retry_after_reads_seconds_and_http_dates() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(Optional.of(Duration.ofSeconds(120)), WebhookSender.retryAfter(" 120 ", now));
        assertEquals(Optional.of(Duration.ofMinutes(5)), WebhookSender.retryAfter("Thu, 01 Jan 2026 00:05:00 GMT", now));
        assertEquals(Optional.of(Duration.ZERO), WebhookSender.retryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now));
        assertTrue(WebhookSender.retryAfter("soon", now).isEmpty());
        assertTrue(WebhookSender.retryAfter("-5", now).isEmpty());
        assertTrue(WebhookSender.retryAfter(null, now).isEmpty());
    }
}
