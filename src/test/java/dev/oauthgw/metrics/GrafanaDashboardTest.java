package dev.oauthgw.metrics;

import static dev.oauthgw.testing.OpsTestSupport.key;
import static dev.oauthgw.testing.OpsTestSupport.onboarded;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.tokens.TokensResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * deploy/grafana/gateway-dashboard.json against the gateway's real /q/metrics: every metric a panel queries is in
 * the scrape (after a refresh that succeeded, one that failed and a token request, so that the lazily registered
 * meters exist), every exact label value it selects on is one the gateway writes, and every query goes through the
 * dashboard's Prometheus datasource variable.
 */
@QuarkusTest
class GrafanaDashboardTest {

    static final Path DASHBOARD = Path.of("deploy", "grafana", "gateway-dashboard.json");
    private static final Pattern SELECTOR = Pattern.compile("\\b(gateway_[a-zA-Z0-9_]+)(\\{([^}]*)\\})?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"");

    @Inject
    SandboxPartners sandboxPartners;
    @Inject
    SandboxFaults sandboxFaults;
    @Inject
    GatewayMetrics metrics;

    @AfterEach
    void clearFaults() {
        sandboxFaults.reset();
    }

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    /** Every query of the dashboard: the panels' targets and the template variables' queries. */
    static List<String> exprs(JsonNode d) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : d.get("panels")) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.get("expr").asText());
            }
            for (JsonNode inner : p.path("panels")) {
                inner.path("targets").forEach(t -> out.add(t.get("expr").asText()));
            }
        }
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.path("definition").isTextual()) {
                out.add(v.get("definition").asText());
            }
        }
        return out;
    }

    @Test
    void the_dashboard_is_a_grafana_model_on_a_prometheus_datasource_variable() throws IOException {
        JsonNode d = dashboard();
        assertEquals("pax8-oauth-gateway", d.get("uid").asText());
        JsonNode ds = null;
        for (JsonNode v : d.get("templating").get("list")) {
            if (v.get("type").asText().equals("datasource")) {
                ds = v;
            }
        }
        assertTrue(ds != null && ds.get("name").asText().equals("datasource") && ds.get("query").asText().equals("prometheus"),
                String.valueOf(ds));
        Set<Integer> ids = new HashSet<>();
        int queried = 0;
        for (JsonNode p : d.get("panels")) {
            assertTrue(ids.add(p.get("id").asInt()), "unique panel id " + p.get("id"));
            if (p.get("type").asText().equals("row")) {
                continue;
            }
            assertEquals("${datasource}", p.get("datasource").get("uid").asText(), p.get("title").asText());
            assertFalse(p.get("targets").isEmpty(), p.get("title").asText());
            for (JsonNode t : p.get("targets")) {
                assertEquals("${datasource}", t.get("datasource").get("uid").asText(), p.get("title").asText());
                assertTrue(SELECTOR.matcher(t.get("expr").asText()).find(), "a gateway metric in " + t);
                queried++;
            }
        }
        assertTrue(queried >= 20, "targets: " + queried);
        String all = String.join("\n", exprs(d));
        for (String view : List.of("gateway_grant_earliest_access_expiry_seconds", "gateway_grants_expiring_soon",
                "gateway_grants{", "rate(gateway_refresh_successes_total", "gateway_refresh_failures_total",
                "gateway_tokens_requests_seconds_count", "gateway_tokens_requests_seconds_bucket",
                "gateway_provider_rate_budget_used_ratio", "gateway_refresh_rotation_exposure_seconds_bucket")) {
            assertTrue(all.contains(view), "the dashboard shows " + view);
        }
    }

    @Test
    void every_metric_and_label_value_the_dashboard_queries_is_in_the_scrape() throws IOException {
        // the meters registered on first use: a refresh that succeeded, one that failed, a token request
        String p = onboarded(sandboxPartners, key(), "Grafana Metrics Ltd");
        given().auth().oauth2(TestJwt.ops()).post("/admin/partners/" + p + "/grant/refresh").then().statusCode(200);
        sandboxFaults.failTokenEndpoint(503, 1);
        given().auth().oauth2(TestJwt.ops()).post("/admin/partners/" + p + "/grant/refresh").then().statusCode(200);
        given().auth().oauth2(TestJwt.withRoles("svc-grafana", TokensResource.ROLE)).get("/tokens/" + p).then()
                .statusCode(200);
        metrics.invalidate();
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> samples = scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();

        Set<String> checked = new TreeSet<>();
        Set<String> missing = missing(exprs(dashboard()), samples, checked);
        assertTrue(missing.isEmpty(), "queried by the dashboard, absent from /q/metrics: " + missing + "\n" + scrape);
        assertTrue(checked.size() >= 14, "metrics checked: " + checked);
        System.out.println("Grafana dashboard metrics found in /q/metrics: " + checked);
        // the check bites: an unknown metric and a label value the gateway never writes
        assertEquals(Set.of("gateway_nope_total", "gateway_grants{state=\"nope\"}"), missing(List.of(
                "rate(gateway_nope_total[5m])", "max(gateway_grants{job=~\"$job\", state=\"nope\"})"), samples,
                new TreeSet<>()));
    }

    /** The metrics, and metric{label="value"} exact selections, of {@code exprs} that no sample has. */
    static Set<String> missing(List<String> exprs, List<String> samples, Set<String> checked) {
        Set<String> missing = new TreeSet<>();
        for (String expr : exprs) {
            Matcher s = SELECTOR.matcher(expr);
            while (s.find()) {
                String name = s.group(1);
                checked.add(name);
                List<String> lines = samples.stream().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                        .toList();
                if (lines.isEmpty()) {
                    missing.add(name);
                    continue;
                }
                Matcher m = MATCHER.matcher(s.group(3) == null ? "" : s.group(3));
                while (m.find()) {
                    String label = m.group(1);
                    if (!m.group(2).equals("=") || label.equals("job") || label.equals("instance")) {
                        continue; // added by Prometheus, or a pattern
                    }
                    String exact = label + "=\"" + m.group(3) + "\"";
                    if (lines.stream().noneMatch(l -> l.contains(exact))) {
                        missing.add(name + "{" + exact + "}");
                    }
                }
            }
        }
        return missing;
    }
}
