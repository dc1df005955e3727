package dev.oauthgw.metrics;

import static dev.oauthgw.testing.OpsTestSupport.key;
import static dev.oauthgw.testing.OpsTestSupport.onboarded;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.tokens.TokensResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** /q/metrics after known events. The database is shared by all test classes: global values are compared relatively. */
@QuarkusTest
class GatewayMetricsTest {

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s+(\\S+)$");

    @Inject
    Db db;
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

    /** The sample named {@code name} whose labels include all of {@code labels}, 0 when absent. */
    static double value(String scrape, String name, String... labels) {
        for (String l : scrape.split("\n")) {
            Matcher m = LINE.matcher(l.strip());
            if (!m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            String tags = m.group(3) == null ? "" : m.group(3);
            if (Arrays.stream(labels).allMatch(tags::contains)) {
                return Double.parseDouble(m.group(4));
            }
        }
        return 0;
    }

    private String scrape() {
        metrics.invalidate();
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void token_requests_are_counted_by_outcome_with_the_validity_served() {
        String p = onboarded(sandboxPartners, key(), "Metrics Tokens Ltd");
        String before = scrape();
        String caller = TestJwt.withRoles("svc-metrics", TokensResource.ROLE);
        given().auth().oauth2(caller).get("/tokens/" + p).then().statusCode(200);
        given().auth().oauth2(caller).get("/tokens/" + p).then().statusCode(200);
        given().auth().oauth2(caller).get("/tokens/nobody-" + key()).then().statusCode(404);
        given().get("/tokens/" + p).then().statusCode(401);
        given().auth().oauth2(TestJwt.ops()).get("/tokens/" + p).then().statusCode(403);
        String after = scrape();
        Map<String, Double> expected = Map.of("served", 2.0, "not_found", 1.0, "unauthorized", 1.0, "forbidden", 1.0);
        expected.forEach((outcome, n) -> assertEquals(n,
                value(after, "gateway_tokens_requests_seconds_count", "kind=\"partner\"", "outcome=\"" + outcome + "\"")
                        - value(before, "gateway_tokens_requests_seconds_count", "kind=\"partner\"", "outcome=\"" + outcome + "\""),
                outcome));
        assertEquals(2.0, value(after, "gateway_tokens_served_validity_seconds_count")
                - value(before, "gateway_tokens_served_validity_seconds_count"));
        // tokens fresh from the sandbox are valid for about a day
        double sum = value(after, "gateway_tokens_served_validity_seconds_sum")
                - value(before, "gateway_tokens_served_validity_seconds_sum");
        assertTrue(sum > 2 * 86_000 && sum <= 2 * 86_400, "validity served: " + sum);
        assertTrue(after.contains("gateway_tokens_requests_seconds_bucket"), "latency histogram");
    }

    @Test
    void refreshes_are_counted_with_their_outcome_and_latency() {
        String p = onboarded(sandboxPartners, key(), "Metrics Refresh Ltd");
        String before = scrape();
        given().auth().oauth2(TestJwt.ops()).post("/admin/partners/" + p + "/grant/refresh").then().statusCode(200);
        sandboxFaults.failTokenEndpoint(503, 1);
        given().auth().oauth2(TestJwt.ops()).post("/admin/partners/" + p + "/grant/refresh").then().statusCode(200);
        String after = scrape();
        assertEquals(2.0, value(after, "gateway_refresh_attempts_total", "trigger=\"forced\"")
                - value(before, "gateway_refresh_attempts_total", "trigger=\"forced\""));
        assertEquals(1.0, value(after, "gateway_refresh_successes_total", "trigger=\"forced\"")
                - value(before, "gateway_refresh_successes_total", "trigger=\"forced\""));
        assertEquals(1.0, value(after, "gateway_refresh_failures_total", "trigger=\"forced\"", "reason=\"transient\"")
                - value(before, "gateway_refresh_failures_total", "trigger=\"forced\"", "reason=\"transient\""));
        assertEquals(1.0, value(after, "gateway_refresh_duration_seconds_count", "trigger=\"forced\"", "outcome=\"success\"")
                - value(before, "gateway_refresh_duration_seconds_count", "trigger=\"forced\"", "outcome=\"success\""));
        assertTrue(value(after, "gateway_refresh_duration_seconds_sum", "trigger=\"forced\"", "outcome=\"success\"") > 0);
    }

    @Test
    void grant_gauges_follow_the_database() {
        String before = scrape();
        String p = onboarded(sandboxPartners, key(), "Metrics Gauges Ltd");
        String after = scrape();
        assertEquals(1.0, value(after, "gateway_grants", "state=\"active\"") - value(before, "gateway_grants", "state=\"active\""));
        // the grant's token now expires in a minute: the earliest expiry is at most that, and it is expiring soon
        db.update("update partner_grant set access_expires_at = ? where partner_id = ?",
                Timestamp.from(Instant.now().plusSeconds(60)), p);
        String soon = scrape();
        assertTrue(value(soon, "gateway_grant_earliest_access_expiry_seconds") <= 60.5,
                "earliest expiry: " + value(soon, "gateway_grant_earliest_access_expiry_seconds"));
        assertEquals(1.0, value(soon, "gateway_grants_expiring_soon") - value(after, "gateway_grants_expiring_soon"));
        given().auth().oauth2(TestJwt.ops()).post("/admin/partners/" + p + "/grant/disconnect").then().statusCode(200);
        String revoked = scrape();
        assertEquals(1.0, value(revoked, "gateway_grants", "state=\"revoked\"") - value(soon, "gateway_grants", "state=\"revoked\""));
        assertEquals(-1.0, value(revoked, "gateway_grants", "state=\"active\"") - value(soon, "gateway_grants", "state=\"active\""));
        assertEquals(0.0, value(revoked, "gateway_global_incident"));
        assertTrue(revoked.contains("gateway_global_incident"));
    }

    @Test
    void the_gauges_read_the_database_at_most_once_per_cache_period() {
        metrics.invalidate();
        GatewayMetrics.GrantCounts first = metrics.grants();
        for (int i = 0; i < 20; i++) {
            given().get("/q/metrics").then().statusCode(200);
        }
        assertTrue(first == metrics.grants(), "a scrape storm reuses one read");
    }
}
