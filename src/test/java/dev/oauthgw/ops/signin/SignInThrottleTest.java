package dev.oauthgw.ops.signin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** The failed-sign-in counts, without Quarkus, on a clock the test moves. */
class SignInThrottleTest {

    private static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-11-28T08:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final SignInThrottle throttle = new SignInThrottle(3, 5, Duration.ofMinutes(15), 100, 10, clock);

    @Test
    void an_account_is_blocked_after_its_failures_until_the_window_ends() {
        for (int i = 0; i < 3; i++) {
            assertTrue(throttle.blocked("operator", "10.0.0." + i).isEmpty());
            throttle.failed("operator", "10.0.0." + i);
        }
        assertEquals(Duration.ofMinutes(15), throttle.blocked("operator", "10.0.0.99").orElseThrow());
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        assertEquals(Duration.ofMinutes(5), throttle.blocked("operator", "10.0.0.99").orElseThrow());
        assertTrue(throttle.blocked("other", "10.0.0.99").isEmpty(), "other accounts are not affected");
        clock.now = clock.now.plus(Duration.ofMinutes(5));
        assertTrue(throttle.blocked("operator", "10.0.0.99").isEmpty());
    }

    @Test
    void an_address_is_blocked_after_its_failures_whatever_the_user_names() {
        for (int i = 0; i < 5; i++) {
            throttle.failed(null, "192.0.2.7"); // unknown user names count against the address only
        }
        assertTrue(throttle.blocked(null, "192.0.2.7").isPresent());
        assertTrue(throttle.blocked("operator", "192.0.2.7").isPresent());
        assertTrue(throttle.blocked("operator", "192.0.2.8").isEmpty());
    }

    @Test
    void a_correct_password_clears_the_account_but_not_the_address() {
        throttle.failed("operator", "192.0.2.9");
        throttle.failed("operator", "192.0.2.9");
        throttle.succeeded("operator");
        throttle.failed("operator", "192.0.2.9");
        throttle.failed("operator", "192.0.2.9");
        assertTrue(throttle.blocked("operator", "192.0.2.10").isEmpty(), "two failures since the success");
        throttle.failed("operator", "192.0.2.9");
        assertTrue(throttle.blocked(null, "192.0.2.9").isPresent(), "five from the address");
    }

    @Test
    void memory_is_bounded_by_the_number_of_addresses_remembered() {
        for (int i = 0; i < 10_000; i++) {
            throttle.failed(null, "198.51." + (i / 256) + "." + (i % 256));
        }
        assertEquals(100, throttle.trackedAddresses());
    }
}
