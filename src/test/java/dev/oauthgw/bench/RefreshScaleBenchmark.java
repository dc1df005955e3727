package dev.oauthgw.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.refresh.RateBudget;
import dev.oauthgw.refresh.RefreshConfig;
import dev.oauthgw.refresh.RefreshScheduler;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.testing.GrantFactory;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The scheduled refresher at scale: 100,000 grants onboarded in the same minute. Shows the due-selection
 * query plan (EXPLAIN ANALYZE), the spread of due times per minute, and refresh throughput against the
 * sandbox under the default cluster budget. Not part of the suite: run src/test/bench/refresh-scale.sh.
 * Results go to target/bench/refresh-scale.md.
 */
@QuarkusTest
class RefreshScaleBenchmark {

    @Inject
    AgroalDataSource ds;
    @Inject
    TokenCipher cipher;
    @Inject
    RefreshScheduler scheduler;
    @Inject
    RateBudget budget;
    @Inject
    RefreshConfig config;
    @Inject
    SandboxCounters sandboxCounters;
    @Inject
    GrantFactory factory;

    @Test
    void benchmark() throws Exception {
        int grants = Integer.getInteger("bench.grants", 100_000);
        int real = Integer.getInteger("bench.real", 1_000);
        List<String> out = new ArrayList<>();
        BenchSeeder.clear(ds);
        Instant onboarded = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        long t0 = System.nanoTime();
        BenchSeeder.seed(ds, cipher, grants, onboarded);
        out.add(String.format("Seeded %,d grants, all obtained at %s, in %.1f s.", grants, onboarded,
                (System.nanoTime() - t0) / 1e9));

        // 1. due times per minute
        TreeMap<Long, Integer> perMinute = new TreeMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select date_trunc('minute', refresh_due_at) m, count(*) from partner_grant "
                        + "where partner_id like 'bench-%' group by 1 order by 1")) {
            while (rs.next()) {
                perMinute.put(rs.getTimestamp(1).toInstant().getEpochSecond() / 60, rs.getInt(2));
            }
        }
        int min = perMinute.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        int max = perMinute.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        double mean = perMinute.values().stream().mapToInt(Integer::intValue).average().orElse(0);
        out.add("");
        out.add(String.format("Due times spread over %d minutes (from %s): per minute min %d, mean %.0f, max %d "
                + "(without jitter all %,d would be due in one minute).", perMinute.size(),
                Instant.ofEpochSecond(perMinute.firstKey() * 60), min, mean, max, grants));
        out.add("");
        out.add("| minutes after the first due minute | grants due (sum over 10 minutes) |");
        out.add("|---|---:|");
        Map<Long, Integer> per10 = new TreeMap<>();
        long first = perMinute.firstKey();
        perMinute.forEach((m, n) -> per10.merge((m - first) / 10, n, Integer::sum));
        per10.forEach((bucket, n) -> out.add(String.format("| %d-%d | %,d %s |", bucket * 10, bucket * 10 + 9, n,
                "#".repeat(Math.max(1, n / 250)))));

        // 2. the due-selection query plan with 100,000 grants, all due
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("update partner_grant set refresh_due_at = now() - interval '1 minute' where partner_id like 'bench-%'");
            s.execute("analyze partner_grant");
            out.add("");
            out.add("EXPLAIN ANALYZE of the scheduler's due query (100,000 grants, all of them due):");
            out.add("```");
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("explain (analyze, buffers, costs off) select id from partner_grant "
                    + "where state in ('ACTIVE', 'REFRESH_FAILING') and refresh_due_at <= now() "
                    + "and not (registration = any ('{}'::varchar[])) order by refresh_due_at limit 20 "
                    + "for update skip locked")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            c.rollback();
            c.setAutoCommit(true);
            out.add("```");
            // the fake grants must not be refreshed (their tokens are not the sandbox's)
            s.execute("update partner_grant set refresh_due_at = now() + interval '1 day' where partner_id like 'bench-%'");
        }

        // 3. refresh throughput against the sandbox under the default budget
        budget.overrideLimit(null);
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("delete from provider_rate_budget");
        }
        List<GrantFactory.Made> made = factory.create("bench-real", real);
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("update partner_grant set refresh_due_at = now() - interval '1 second' "
                    + "where partner_id like 'bench-real-%'");
        }
        long refreshesBefore = sandboxCounters.rotations();
        long callsBefore = sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN);
        Instant start = Instant.now();
        while (sandboxCounters.rotations() - refreshesBefore < real
                && Duration.between(start, Instant.now()).compareTo(Duration.ofMinutes(4)) < 0) {
            scheduler.tick();
            Thread.sleep(200);
        }
        long r = sandboxCounters.rotations();
        Duration took = Duration.between(start, Instant.now());
        out.add("");
        out.add(String.format("Refreshed %,d real sandbox grants, all due at once, in %.1f s with the default budget "
                + "(%d calls/minute for the cluster, scheduler share %.0f%% = %d), concurrency %d, batch %d; token "
                + "endpoint calls: %d.", r - refreshesBefore, took.toMillis() / 1000.0, budget.limitPerMinute(),
                config.schedulerBudgetShare() * 100, (int) (budget.limitPerMinute() * config.schedulerBudgetShare()),
                config.concurrency(), config.batchSize(), sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN) - callsBefore));
        out.add("");
        out.add("Calls per budget window, as the cluster's budget table counted them (limit for the scheduler: "
                + (int) (budget.limitPerMinute() * config.schedulerBudgetShare()) + "):");
        out.add("");
        out.add("| budget window (minute) | calls taken |");
        out.add("|---|---:|");
        long sum = 0;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select window_start, used from provider_rate_budget "
                        + "where registration = 'pax8' order by window_start")) {
            while (rs.next()) {
                out.add(String.format("| %s | %d |", rs.getTimestamp(1).toInstant(), rs.getInt(2)));
                sum += rs.getInt(2);
            }
        }
        out.add(String.format("| total (sandbox counted %d token-endpoint calls) | %d |",
                sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN) - callsBefore, sum));
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("update partner_grant set state = 'REVOKED', refresh_due_at = null "
                    + "where partner_id like 'bench-real-%'");
        }
        BenchSeeder.clear(ds);
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        Files.write(dir.resolve("refresh-scale.md"), out, StandardCharsets.UTF_8);
        out.forEach(System.out::println);
    }
}
