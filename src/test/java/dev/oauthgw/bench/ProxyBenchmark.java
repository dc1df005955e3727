package dev.oauthgw.bench;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.oauthgw.proxy.ProxyBudget;
import dev.oauthgw.proxy.ProxyResource;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.tokens.TokensResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The proxy's overhead: wrk against the sandbox's GET /v1/companies called directly with a partner token taken from
 * GET /tokens, and the same call through GET /proxy/{partnerId}/v1/companies with a caller JWT, in one run on one
 * server (the sandbox answers both). The proxy's budget is lifted for the run (it would answer 429 after 900 a
 * minute). Not part of the test suite (no *Test name): run it with src/test/bench/proxy.sh. Results go to
 * target/bench/proxy.md.
 */
@QuarkusTest
class ProxyBenchmark {

    @Inject
    GrantFactory grants;
    @Inject
    ProxyBudget budget;

    record Run(double rps, String p50, String p99, long errors) {
    }

    @Test
    void benchmark() throws Exception {
        int duration = Integer.getInteger("bench.seconds", 15);
        int connections = Integer.getInteger("bench.connections", 16);
        budget.override(Duration.ofMinutes(1), 1000, 1_000_000_000);
        try {
            GrantFactory.Made p = grants.create("bench-proxy");
            String caller = TestJwt.withRoles("bench-caller", TokensResource.ROLE, ProxyResource.ROLE);
            String token = given().auth().oauth2(caller).get("/tokens/" + p.partnerId()).then().statusCode(200)
                    .extract().path("access_token");
            Path dir = Path.of("target", "bench");
            Files.createDirectories(dir);
            Path direct = dir.resolve("proxy-direct.lua");
            Files.writeString(direct, "wrk.headers[\"Authorization\"] = \"Bearer " + token + "\"\n");
            Path proxied = dir.resolve("proxy-proxied.lua");
            Files.writeString(proxied, "wrk.headers[\"Authorization\"] = \"Bearer " + caller + "\"\n");
            String directPath = "/sandbox/v1/companies?page=0&size=3";
            String proxyPath = "/proxy/" + p.partnerId() + "/v1/companies?page=0&size=3";
            List<String> lines = new ArrayList<>();
            lines.add("| call | connections | requests/s | p50 | p99 | non-2xx |");
            lines.add("|---|---:|---:|---:|---:|---:|");
            int warmUp = Integer.getInteger("bench.warmup.seconds", 10);
            wrk(direct, directPath, warmUp, connections);
            wrk(proxied, proxyPath, warmUp, connections);
            for (int round = 0; round < 2; round++) { // alternate, so both see the same machine state
                Run d = wrk(direct, directPath, duration, connections);
                Run x = wrk(proxied, proxyPath, duration, connections);
                lines.add(row("sandbox GET /v1/companies, token from /tokens", connections, d));
                lines.add(row("GET /proxy/{partnerId}/v1/companies", connections, x));
                lines.add(String.format("| ratio proxy : direct | | %.2f | | | |", x.rps() / d.rps()));
            }
            Run one = wrk(direct, directPath, duration, 1);
            Run oneProxied = wrk(proxied, proxyPath, duration, 1);
            lines.add(row("sandbox GET /v1/companies, token from /tokens", 1, one));
            lines.add(row("GET /proxy/{partnerId}/v1/companies", 1, oneProxied));
            Files.write(dir.resolve("proxy.md"), lines, StandardCharsets.UTF_8);
            lines.forEach(System.out::println);
        } finally {
            budget.override(null, null, null);
        }
    }

    private static String row(String call, int connections, Run r) {
        return String.format("| %s | %d | %.0f | %s | %s | %d |", call, connections, r.rps(), r.p50(), r.p99(),
                r.errors());
    }

    private static Run wrk(Path script, String path, int seconds, int connections)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder("wrk", "-t" + Math.min(2, connections), "-c" + connections, "-d" + seconds + "s",
                "--latency", "-s", script.toString(), "http://127.0.0.1:" + io.restassured.RestAssured.port + path)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(seconds + 60L, TimeUnit.SECONDS);
        System.out.println(out);
        return new Run(Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)", null)),
                find(out, "\\s50%\\s+(\\S+)", "?"), find(out, "\\s99%\\s+(\\S+)", "?"),
                Long.parseLong(find(out, "Non-2xx or 3xx responses:\\s+(\\d+)", "0")));
    }

    private static String find(String text, String regex, String fallback) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (m.find()) {
            return m.group(1);
        }
        if (fallback == null) {
            throw new IllegalStateException("wrk output has no " + regex + ":\n" + text);
        }
        return fallback;
    }
}
