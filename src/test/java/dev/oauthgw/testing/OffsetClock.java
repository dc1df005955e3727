package dev.oauthgw.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that runs with the system's and that a test moves ahead: for a component constructed by the test, whose
 * waits on time (a check interval, a backoff) the test passes by moving the clock rather than by sleeping.
 */
public final class OffsetClock extends Clock {

    private volatile Duration offset = Duration.ZERO;

    /** Moves this clock {@code by} ahead of the system's (in addition to earlier moves). */
    public void advance(Duration by) {
        offset = offset.plus(by);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
