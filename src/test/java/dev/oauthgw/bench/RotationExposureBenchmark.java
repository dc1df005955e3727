package dev.oauthgw.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.oauthgw.refresh.GrantRefresher;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.GrantFactory.Made;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * How long a rotated refresh token exists only in this process's memory: from reading the provider's answer to
 * the commit of its sealed copy (the window in which a crash still loses it), over N real refreshes against the
 * sandbox on the local PostgreSQL. Not part of the suite: run src/test/bench/rotation-exposure.sh. Results go to
 * target/bench/rotation-exposure.md.
 */
@QuarkusTest
class RotationExposureBenchmark {

    /** Every exposure the refresher reported, in nanoseconds. */
    @Singleton
    static class Exposures {
        final long[] nanos = new long[100_000];
        int n;

        synchronized void on(@Observes GrantRefresher.Attempted a) {
            if (a.exposureNanos() >= 0 && n < nanos.length) {
                nanos[n++] = a.exposureNanos();
            }
        }

        synchronized long[] sorted() {
            long[] s = Arrays.copyOf(nanos, n);
            Arrays.sort(s);
            return s;
        }
    }

    @Inject
    GrantRefresher refresher;
    @Inject
    GrantFactory factory;
    @Inject
    Exposures exposures;
    @Inject
    MeterRegistry registry;

    @Test
    void exposure_window_of_rotated_refresh_tokens() throws Exception {
        int grants = Integer.getInteger("bench.grants", 20);
        int rounds = Integer.getInteger("bench.rounds", 25);
        List<Made> made = factory.create("exposure", grants);
        for (int warm = 0; warm < 2; warm++) {
            for (Made m : made) {
                refresher.refresh(m.grantId(), g -> true, GrantRefresher.Trigger.FORCED, Duration.ofSeconds(5));
            }
        }
        int before = exposures.sorted().length;
        for (int r = 0; r < rounds; r++) {
            for (Made m : made) {
                refresher.refresh(m.grantId(), g -> true, GrantRefresher.Trigger.FORCED, Duration.ofSeconds(5));
            }
        }
        long[] all = exposures.sorted();
        long[] s = Arrays.copyOfRange(all, 0, all.length); // includes warm-up; reported separately below
        long[] measured = Arrays.copyOfRange(exposures.nanos, before, all.length);
        Arrays.sort(measured);
        Timer t = registry.find("gateway.refresh.rotation.exposure").timer();
        String report = "# Rotated refresh token: exposure window\n\n"
                + "From reading the provider's 2xx answer to the commit of the sealed new refresh token on its own "
                + "connection (`gateway_refresh_rotation_exposure_seconds`), " + measured.length
                + " forced refreshes after " + (s.length - measured.length) + " warm-up ones, against the in-process "
                + "sandbox and the local PostgreSQL.\n\n"
                + "| p50 | p90 | p99 | max | mean (Micrometer, all) |\n|---:|---:|---:|---:|---:|\n"
                + "| " + ms(pct(measured, 0.50)) + " | " + ms(pct(measured, 0.90)) + " | " + ms(pct(measured, 0.99))
                + " | " + ms(measured[measured.length - 1]) + " | "
                + String.format("%.3f ms", t == null ? Double.NaN : t.mean(TimeUnit.MILLISECONDS)) + " |\n";
        Path out = Path.of("target/bench/rotation-exposure.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
    }

    private static long pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String ms(long nanos) {
        return String.format("%.3f ms", nanos / 1e6);
    }
}
