package dev.oauthgw.ops.dashboard;

import dev.oauthgw.ops.signin.OpsSignInTest;
import dev.oauthgw.ops.signin.OpsSignIn;
import dev.oauthgw.ops.signin.OpsPasswords;
import static dev.oauthgw.testing.OpsTestSupport.key;
import static dev.oauthgw.testing.OpsTestSupport.onboarded;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.audit.TokenAccessRecorder;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The grant page lists every failed refresh attempt with its reason, not only the state changes, and the callers
 * that read its tokens (from the token access rows, and the TOKEN_SERVED records written before V12).
 */
@QuarkusTest
class OpsGrantPageTest {

    @Inject
    Db db;
    @Inject
    SandboxPartners sandboxPartners;
    @Inject
    SandboxFaults sandboxFaults;
    @Inject
    TokenAccessRecorder recorder;

    @AfterEach
    void clearFaults() {
        sandboxFaults.reset();
    }

    private static String failuresTable(String partner) {
        return table(partner, "failures");
    }

    private static String table(String partner, String id) {
        String session = OpsSignInTest.signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        String page = given().cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops/grants/" + partner).then()
                .statusCode(200).extract().asString();
        Matcher m = Pattern.compile("<table id=\"" + id + "\">(.*?)</table>", Pattern.DOTALL).matcher(page);
        assertTrue(m.find(), page);
        return m.group(1);
    }

    /** The readers table: caller -> "reads tokens holds-current", in the page's order. */
    private Map<String, String> readers(String partner) {
        recorder.flushAll();
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<tr><td>([^<]*)</td><td>(\\d+)</td><td>(\\d+)</td><td>[^<]*</td><td>(yes|no)</td></tr>")
                .matcher(table(partner, "readers"));
        while (m.find()) {
            out.put(m.group(1), m.group(2) + " " + m.group(3) + " " + m.group(4));
        }
        return out;
    }

    private static void read(String caller, String partner) {
        given().auth().oauth2(TestJwt.withRoles(caller, "tokens:read")).get("/tokens/" + partner).then().statusCode(200);
    }

    @Test
    void each_failed_attempt_is_listed_with_its_reason_and_count() {
        String p = onboarded(sandboxPartners, key(), "Twice Failing Ltd");
        assertTrue(failuresTable(p).contains("No failures recorded"));

        sandboxFaults.failTokenEndpoint(503, 2);
        for (int i = 0; i < 2; i++) {
            given().auth().oauth2(TestJwt.ops()).post("/admin/partners/" + p + "/grant/refresh").then().statusCode(200);
        }
        String table = failuresTable(p);
        assertEquals(2, table.split("<td class=\"err\">transient: ", -1).length - 1, table);
        assertTrue(table.contains("503"), table);
        assertTrue(table.contains("failures in a row: 1") && table.contains("failures in a row: 2"), table);
        assertTrue(table.contains("REFRESH_FAILING"), table);
        assertEquals(2L, db.one("select count(*) as n from audit_event where partner_id = ? and action = 'REFRESH_FAILED'",
                p).get("n"));

        // a success afterwards adds no failure
        given().auth().oauth2(TestJwt.ops()).post("/admin/partners/" + p + "/grant/refresh").then().statusCode(200);
        assertEquals(2, failuresTable(p).split("<td class=\"err\">transient: ", -1).length - 1);
    }

    @Test
    void readers_are_one_line_per_caller_with_reads_tokens_and_whether_it_holds_the_current_token() {
        String p = onboarded(sandboxPartners, key(), "Read Often Ltd");
        assertTrue(table(p, "readers").contains("No caller read its tokens recently"));
        for (int i = 0; i < 3; i++) {
            read("svc-often", p);
        }
        read("svc-once", p);
        // a record written per request before V12 (and by replicas of the previous version during an update)
        db.update("insert into audit_event (occurred_at, actor, action, partner_id, request_id, detail) values "
                + "(?, 'svc-legacy', 'TOKEN_SERVED', ?, 'legacy-1', cast(? as jsonb))",
                Timestamp.from(Instant.now().minusSeconds(3600)), p,
                "{\"kind\":\"partner\",\"token_expires_at\":\"" + Instant.now().plusSeconds(3600) + "\"}");
        // outside the readers window (7 days): not shown
        db.update("insert into token_access (kind, subject, token_expires_at, caller, first_served_at, last_served_at, "
                + "served_count) values ('partner', ?, now() - interval '9 days', 'svc-gone', now() - interval '10 days', "
                + "now() - interval '8 days', 5)", p);

        Map<String, String> r = readers(p);
        assertEquals(Map.of("svc-often", "3 1 yes", "svc-once", "1 1 yes", "svc-legacy", "1 1 no"), r, r.toString());
        assertEquals("svc-legacy", r.keySet().stream().reduce((a, b) -> b).orElseThrow(), "last read first: " + r);

        // a refresh hands out a new token: a second token for the caller that reads again, the others hold the old one
        given().auth().oauth2(TestJwt.ops()).post("/admin/partners/" + p + "/grant/refresh").then().statusCode(200)
                .body("refreshed", org.hamcrest.Matchers.equalTo(true));
        read("svc-often", p);
        r = readers(p);
        assertEquals("4 2 yes", r.get("svc-often"), r.toString());
        assertEquals("1 1 no", r.get("svc-once"), r.toString());
        assertEquals(2, db.count("select count(*) from token_access where subject = ? and caller = 'svc-often'", p));
    }
}
