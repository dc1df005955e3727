package dev.oauthgw.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Waits for a condition, never for a fixed time: polls it until it holds or the deadline passes, then fails with
 * what was awaited. Plain Java, for @QuarkusTest classes and the packaged-jar tests (no Quarkus in their JVM) alike.
 */
public final class Await {

    private static final Duration EVERY = Duration.ofMillis(25);

    private Await() {
    }

    /**
     * Polls {@code condition} until it is true.
     *
     * @throws AssertionError when it is still false after {@code within}, naming {@code what}
     */
    public static void until(Duration within, String what, Callable<Boolean> condition) {
        until(within, what, condition, () -> "");
    }

    /** {@link #until(Duration, String, Callable)}, adding {@code detail} (a log, the last value seen) to the failure. */
    public static void until(Duration within, String what, Callable<Boolean> condition, Supplier<String> detail) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (Exception e) {
                throw new AssertionError("while waiting until " + what + ": " + e, e);
            }
            if (System.nanoTime() - deadline > 0) {
                String more = detail.get();
                throw new AssertionError("not within " + within.toMillis() + " ms: " + what
                        + (more.isEmpty() ? "" : "\n" + more));
            }
            try {
                Thread.sleep(EVERY.toMillis()); // the polling interval, not a wait for the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
        }
    }
}
