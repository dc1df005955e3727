package dev.oauthgw.ops.dashboard;

import dev.oauthgw.ops.signin.OpsSignInTest;
import dev.oauthgw.ops.signin.OpsSignIn;
import dev.oauthgw.ops.signin.OpsPasswords;
import static dev.oauthgw.testing.OpsTestSupport.key;
import static dev.oauthgw.testing.OpsTestSupport.onboarded;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** The grant page lists every failed refresh attempt with its reason, not only the state changes. */
@QuarkusTest
class OpsGrantPageTest {

    @Inject
    Db db;
    @Inject
    SandboxPartners sandboxPartners;
    @Inject
    SandboxFaults sandboxFaults;

    @AfterEach
    void clearFaults() {
        sandboxFaults.reset();
    }

    private static String failuresTable(String partner) {
        String session = OpsSignInTest.signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        String page = given().cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops/grants/" + partner).then()
                .statusCode(200).extract().asString();
        Matcher m = Pattern.compile("<table id=\"failures\">(.*?)</table>", Pattern.DOTALL).matcher(page);
        assertTrue(m.find(), page);
        return m.group(1);
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
}
