package dev.oauthgw.http;

import java.time.Duration;
import java.util.Optional;

/**
 * The bounds of one outbound call (ADR 0019). Every deadline counts from the moment the call starts, except
 * {@code idle}, which counts from the last byte of the answer body received (time spent paused because the reader
 * is slow does not count):
 *
 * @param connect a connection (from the pool, or a new TCP and TLS connection) within this time
 * @param headers the response's status line and headers within this time
 * @param idle never longer than this between two pieces of the answer's body
 * @param total the whole answer, body included, within this time
 * @param maxAnswerBytes the most of the answer's body that is read; a longer one fails the call
 */
public record HttpBounds(Duration connect, Duration headers, Duration idle, Duration total, long maxAnswerBytes) {

    /**
     * How much longer than {@link #total} a blocking caller waits for the outcome: the deadline itself is enforced
     * on the event loop, this only covers its scheduling.
     */
    public static final Duration AWAIT_GRACE = Duration.ofMillis(500);

    public HttpBounds {
        problem(connect, headers, idle, total, maxAnswerBytes).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
    }

    /**
     * The longest a blocking call with these bounds can hold its thread: the total deadline and a small grace.
     * The refresher waits for one provider call at most this long (plus its own storing time).
     */
    public Duration holdsAtMost() {
        return total.plus(AWAIT_GRACE);
    }

    /** What is wrong with these values, in words (no setting names: the caller knows which settings they came from). */
    public static Optional<String> problem(Duration connect, Duration headers, Duration idle, Duration total,
            long maxAnswerBytes) {
        for (Duration d : new Duration[] { connect, headers, idle, total }) {
            if (d == null || d.isNegative() || d.isZero()) {
                return Optional.of("every timeout must be positive");
            }
        }
        if (maxAnswerBytes < 1) {
            return Optional.of("the answer size cap must be at least 1 byte");
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "HttpBounds[connect=" + connect + ", headers=" + headers + ", idle=" + idle + ", total=" + total
                + ", maxAnswerBytes=" + maxAnswerBytes + "]";
    }
}
