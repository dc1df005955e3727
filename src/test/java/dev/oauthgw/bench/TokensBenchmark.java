package dev.oauthgw.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.oauthgw.audit.TokenAccessRecorder;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.tokens.TokensResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * GET /tokens throughput and latency with wrk (64 connections on loopback), against GET /caller (a
 * JWT-protected endpoint that does nothing) on the same server, with 100 and with 100,000 grants.
 * Not part of the test suite (no *Test name): run it with src/test/bench/tokens.sh. Results go to
 * target/bench/tokens.md.
 */
@QuarkusTest
class TokensBenchmark {

    @Inject
    AgroalDataSource ds;
    @Inject
    TokenCipher cipher;
    @Inject
    TokenAccessRecorder recorder;

    record Run(String name, double rps, String p50, String p99, long errors) {
    }

    @Test
    void benchmark() throws Exception {
        int duration = Integer.getInteger("bench.seconds", 20);
        int connections = Integer.getInteger("bench.connections", 64);
        String jwt = TestJwt.withRoles("bench-caller", TokensResource.ROLE);
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        lines.add("| grants | endpoint | requests/s | p50 | p99 | non-2xx |");
        lines.add("|---:|---|---:|---:|---:|---:|");
        for (int grants : new int[] { 100, 100_000 }) {
            BenchSeeder.clear(ds);
            long t0 = System.nanoTime();
            BenchSeeder.seed(ds, cipher, grants, Instant.now());
            System.out.printf("seeded %d grants in %d ms%n", grants, (System.nanoTime() - t0) / 1_000_000);
            Path script = dir.resolve("tokens-" + grants + ".lua");
            Files.writeString(script, lua(jwt, grants));
            Path noop = dir.resolve("noop.lua");
            Files.writeString(noop, "wrk.headers[\"Authorization\"] = \"Bearer " + jwt + "\"\n");
            int warmUp = Integer.getInteger("bench.warmup.seconds", 15);
            wrk(noop, "/caller", warmUp, connections); // warm-up: JIT, connection pools, caches
            wrk(script, "/tokens/", warmUp, connections);
            for (int round = 0; round < 2; round++) { // alternate, so both see the same machine state
                Run n = wrk(noop, "/caller", duration, connections);
                Run t = wrk(script, "/tokens/", duration, connections);
                lines.add(row(grants, "GET /caller (no-op, JWT)", n));
                lines.add(row(grants, "GET /tokens/{partnerId}", t));
                lines.add(String.format("| | ratio /tokens : no-op | %.2f | | | |", t.rps() / n.rps()));
            }
            recorder.flushAll();
        }
        BenchSeeder.clear(ds);
        Files.write(dir.resolve("tokens.md"), lines, StandardCharsets.UTF_8);
        lines.forEach(System.out::println);
    }

    private static String row(int grants, String endpoint, Run r) {
        return String.format("| %,d | %s | %.0f | %s | %s | %d |", grants, endpoint, r.rps(), r.p50(), r.p99(), r.errors());
    }

    private static String lua(String jwt, int grants) {
        return "math.randomseed(os.time())\n"
                + "wrk.headers[\"Authorization\"] = \"Bearer " + jwt + "\"\n"
                + "request = function()\n"
                + "  return wrk.format(\"GET\", \"/tokens/bench-\" .. math.random(0, " + (grants - 1) + "))\n"
                + "end\n";
    }

    private static Run wrk(Path script, String path, int seconds, int connections)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
                "-s", script.toString(), "http://127.0.0.1:" + io.restassured.RestAssured.port + path).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(seconds + 60L, TimeUnit.SECONDS);
        System.out.println(out);
        double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)"));
        String p50 = find(out, "\\s50%\\s+(\\S+)");
        String p99 = find(out, "\\s99%\\s+(\\S+)");
        String non2xx = find(out, "Non-2xx or 3xx responses:\\s+(\\d+)", "0");
        return new Run(path, rps, p50, p99, Long.parseLong(non2xx));
    }

    private static String find(String text, String regex) {
        String v = find(text, regex, null);
        if (v == null) {
            throw new IllegalStateException("wrk output has no " + regex + ":\n" + text);
        }
        return v;
    }

    private static String find(String text, String regex, String fallback) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : fallback;
    }

}
