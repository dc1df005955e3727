package dev.oauthgw.ops.dashboard;

import static dev.oauthgw.testing.OpsTestSupport.key;
import static dev.oauthgw.testing.OpsTestSupport.onboarded;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.oauthgw.ops.signin.OpsPasswords;
import dev.oauthgw.ops.signin.OpsSignIn;
import dev.oauthgw.ops.signin.OpsSignInTest;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.testing.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

/**
 * Every form of the dashboard is refused without the CSRF token that its page carries (one check,
 * {@link CsrfInterceptor}), and a refused form changes nothing.
 */
@QuarkusTest
class DashboardFormsNeedCsrfTest {

    @Inject
    SandboxPartners sandboxPartners;
    @Inject
    Db db;

    @ParameterizedTest
    @ValueSource(strings = { "refresh", "reauthorization-link", "disconnect", "confirm-account", "reject-account",
            "links/00000000-0000-0000-0000-000000000000/revoke", "../../logout" })
    void a_form_without_a_matching_csrf_token_is_refused_and_changes_nothing(String action) {
        String p = onboarded(sandboxPartners, key(), "Csrf Check Ltd");
        String session = OpsSignInTest.signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        String path = "/ops/grants/" + p + "/" + action;
        Map<String, Object> before = db.one("select state, version from partner_grant where partner_id = ?", p);
        long audit = db.count("select count(*) from audit_event where partner_id = ?", p);
        // no cookie, no field
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).contentType(ContentType.URLENC)
                .formParam("other", "x").post(path).then().statusCode(403).body(containsString("Form expired"));
        // a field but no cookie
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).contentType(ContentType.URLENC)
                .formParam("csrf", "A".repeat(43)).post(path).then().statusCode(403)
                .body(containsString("Form expired"));
        // a cookie and a field that do not match
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session)
                .cookie(OpsCsrf.COOKIE, "B".repeat(43)).contentType(ContentType.URLENC).formParam("csrf", "A".repeat(43))
                .post(path).then().statusCode(403).body(containsString("Form expired"));
        assertEquals(before, db.one("select state, version from partner_grant where partner_id = ?", p));
        assertEquals(audit, db.count("select count(*) from audit_event where partner_id = ?", p));
    }
}
