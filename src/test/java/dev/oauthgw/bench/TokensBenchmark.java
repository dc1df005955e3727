package dev.oauthgw.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.oauthgw.crypto.TestCiphers;
import dev.oauthgw.prod.ProdConfig;
import dev.oauthgw.testing.PackagedJarTest;
import dev.oauthgw.tokens.TokensResource;

/**
 * GET /tokens against GET /caller (the no-op: the same JWT check, nothing else) on the <b>packaged jar in the prod
 * profile</b>, with wrk (64 connections, loopback), for 1,000 / 40,000 / 100,000 partners read at random (the database
 * holds 100,000 ACTIVE grants throughout; the number is how many distinct partners the requests go to). Prints one
 * table: throughput of both, their ratio, p50 and p99 of both, the p99 ratio; and the jar's RSS (VmRSS) when idle and
 * after the 40,000-partner phase. Not part of the test suite (no *Test or *IT name): run it with
 * src/test/bench/tokens.sh, which packages the jar first. Results go to target/bench/tokens.md.
 * <p>
 * Settings (system properties, the script maps its environment to them): {@code bench.seconds} (each measured run,
 * default 20), {@code bench.warmup.seconds} (per phase and endpoint, default 15), {@code bench.rounds} (measured pairs
 * per phase, default 2), {@code bench.partners} (default 1000,40000,100000), {@code bench.connections} (64),
 * {@code bench.jvm.options} (the jar's JVM options, space-separated), {@code bench.jfr} (true: a flight recording of
 * each endpoint's first measured run, in target/bench/jfr/).
 */
@PackagedJarTest
class TokensBenchmark {

    private static final Path DIR = Path.of("target", "bench");

    record Run(String path, double rps, double p50Ms, double p99Ms, long errors) {
    }

    @Test
    void benchmark() throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 20);
        int warmUp = Integer.getInteger("bench.warmup.seconds", 15);
        int rounds = Integer.getInteger("bench.rounds", 2);
        int connections = Integer.getInteger("bench.connections", 64);
        int[] phases = Arrays.stream(System.getProperty("bench.partners", "1000,40000,100000").split(","))
                .map(String::trim).mapToInt(Integer::parseInt).toArray();
        int grants = Arrays.stream(phases).max().orElseThrow();
        List<String> jvm = List.of(System.getProperty("bench.jvm.options", "").trim().split("\\s+")).stream()
                .filter(o -> !o.isEmpty()).toList();
        boolean jfr = Boolean.getBoolean("bench.jfr");
        Files.createDirectories(DIR.resolve("jfr"));

        Map<String, String> env = ProdConfig.env();
        env.put("GATEWAY_SHUTDOWN_DELAY", "0S");
        List<String> notes = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(env.get("QUARKUS_DATASOURCE_JDBC_URL"),
                env.get("QUARKUS_DATASOURCE_USERNAME"), env.get("QUARKUS_DATASOURCE_PASSWORD"))) {
            Path log = DIR.resolve("tokens-jar.log");
            Process jar = ProdConfig.launch(env, log, 0, jvm);
            try {
                String base = ProdConfig.awaitListening(jar, log, java.time.Duration.ofMinutes(5));
                awaitReady(ProdConfig.managementUrl(log) + "/q/health/ready", jar);
                Thread.sleep(5_000);
                long idleRss = rssMb(jar.pid());
                notes.add("- RSS of the jar, idle (5 s after ready): **" + idleRss + " MB**");

                // the schema is the jar's (Flyway ran at its start) in a database of this benchmark's own
                long t0 = System.nanoTime();
                BenchSeeder.copy(db, TestCiphers.forKeyring(env.get("GATEWAY_CRYPTO_KEYRING")), grants,
                        Instant.now().truncatedTo(ChronoUnit.SECONDS));
                notes.add(String.format("- seeded %,d ACTIVE grants (COPY, tokens sealed with the jar's keyring) in %.1f s",
                        grants, (System.nanoTime() - t0) / 1e9));

                long now = Instant.now().getEpochSecond();
                String jwt = ProdConfig.callerJwt("bench-caller", TokensResource.ROLE, now, now + 6 * 3600,
                        "\"partners\":[\"*\"]");
                Path noop = DIR.resolve("noop.lua");
                Files.writeString(noop, "wrk.headers[\"Authorization\"] = \"Bearer " + jwt + "\"\n");

                List<String> rows = new ArrayList<>();
                rows.add("| partners | round | /caller req/s | /tokens req/s | ratio | /caller p50 | /caller p99 "
                        + "| /tokens p50 | /tokens p99 | p99 ratio | non-2xx |");
                rows.add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
                for (int partners : phases) {
                    Path tokens = DIR.resolve("tokens-" + partners + ".lua");
                    Files.writeString(tokens, lua(jwt, partners));
                    wrk(base, noop, "/caller", warmUp, connections); // JIT, pools, caches
                    wrk(base, tokens, "/tokens/", warmUp, connections);
                    for (int round = 1; round <= rounds; round++) { // alternate: both see the same machine state
                        boolean record = jfr && round == 1;
                        Run n = recorded(record, jar.pid(), partners + "-caller",
                                () -> wrk(base, noop, "/caller", seconds, connections));
                        Run t = recorded(record, jar.pid(), partners + "-tokens",
                                () -> wrk(base, tokens, "/tokens/", seconds, connections));
                        rows.add(String.format("| %,d | %d | %,.0f | %,.0f | %.2f | %s | %s | %s | %s | %.2f | %d |", partners,
                                round, n.rps(), t.rps(), t.rps() / n.rps(), ms(n.p50Ms()), ms(n.p99Ms()), ms(t.p50Ms()),
                                ms(t.p99Ms()), t.p99Ms() / n.p99Ms(), n.errors() + t.errors()));
                        System.out.println(rows.get(rows.size() - 1));
                    }
                    if (partners == 40_000) {
                        notes.add("- RSS of the jar after the 40,000-partner phase: **" + rssMb(jar.pid()) + " MB**");
                    }
                }
                notes.add("- RSS of the jar at the end: " + rssMb(jar.pid()) + " MB");
                List<String> out = new ArrayList<>();
                out.add("## GET /tokens vs GET /caller, packaged jar (prod profile), " + Instant.now().truncatedTo(ChronoUnit.MINUTES));
                out.add("");
                out.add("- machine: " + machine());
                out.add("- jar JVM options: `" + (jvm.isEmpty() ? "(none)" : String.join(" ", jvm)) + "`; wrk -t2 -c"
                        + connections + "; " + warmUp + " s warm-up of each endpoint per phase, then " + rounds
                        + " alternating " + seconds + " s runs");
                out.addAll(notes);
                out.add("");
                out.addAll(rows);
                Files.write(DIR.resolve("tokens.md"), out, StandardCharsets.UTF_8);
            } finally {
                jar.destroy(); // SIGTERM: graceful shutdown
                if (!jar.waitFor(60, TimeUnit.SECONDS)) {
                    jar.destroyForcibly();
                }
                db.createStatement().execute("delete from partner where id like 'bench-%'");
                db.createStatement().execute("delete from audit_event where partner_id like 'bench-%'");
            }
        }
    }

    interface WrkRun {
        Run run() throws IOException, InterruptedException;
    }

    /** Runs {@code r}, with a flight recording of the jar around it when {@code record}. */
    private static Run recorded(boolean record, long pid, String name, WrkRun r) throws IOException, InterruptedException {
        if (!record) {
            return r.run();
        }
        jcmd(pid, "JFR.start", "name=" + name, "settings=profile");
        try {
            return r.run();
        } finally {
            jcmd(pid, "JFR.stop", "name=" + name, "filename=" + DIR.resolve("jfr").resolve(name + ".jfr").toAbsolutePath());
        }
    }

    private static void jcmd(long pid, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        System.out.println(out.strip());
    }

    private static void awaitReady(String url, Process jar) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < until && jar.isAlive()) {
            try {
                if (http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the jar did not become ready: " + url);
    }

    /** VmRSS of a process, in MB. */
    static long rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    private static String machine() {
        try {
            String model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            String mem = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D+", "")) / 1024 / 1024 + " GiB").orElse("?");
            return Runtime.getRuntime().availableProcessors() + " CPUs (" + model + "), " + mem + ", Java "
                    + System.getProperty("java.runtime.version") + ", load average at the start "
                    + Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String lua(String jwt, int partners) {
        return "math.randomseed(os.time())\n"
                + "wrk.headers[\"Authorization\"] = \"Bearer " + jwt + "\"\n"
                + "request = function()\n"
                + "  return wrk.format(\"GET\", \"/tokens/" + BenchSeeder.PREFIX + "\" .. math.random(0, " + (partners - 1) + "))\n"
                + "end\n";
    }

    private static Run wrk(String base, Path script, String path, int seconds, int connections)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
                "-s", script.toString(), base + path).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(seconds + 60L, TimeUnit.SECONDS);
        System.out.println(out);
        double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)"));
        double p50 = toMs(find(out, "\\s50%\\s+(\\S+)"));
        double p99 = toMs(find(out, "\\s99%\\s+(\\S+)"));
        String non2xx = find(out, "Non-2xx or 3xx responses:\\s+(\\d+)", "0");
        return new Run(path, rps, p50, p99, Long.parseLong(non2xx));
    }

    /** wrk's latencies: 850.00us, 7.66ms, 1.02s, 1.50m. */
    static double toMs(String wrk) {
        Matcher m = Pattern.compile("([0-9.]+)(us|ms|s|m)").matcher(wrk);
        if (!m.matches()) {
            throw new IllegalArgumentException(wrk);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            default -> v * 60_000;
        };
    }

    private static String ms(double ms) {
        return String.format("%.2f ms", ms);
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
