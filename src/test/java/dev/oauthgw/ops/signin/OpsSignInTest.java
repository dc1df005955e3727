package dev.oauthgw.ops.signin;

import dev.oauthgw.ops.dashboard.OpsCsrf;
import static dev.oauthgw.testing.OpsTestSupport.key;
import static dev.oauthgw.testing.OpsTestSupport.onboarded;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/** Dashboard sign-in (form, bcrypt accounts), who reaches what, and CSRF on the dashboard's actions. */
@QuarkusTest
public class OpsSignInTest {

    @Inject
    Db db;
    @Inject
    SandboxPartners sandboxPartners;
    @Inject
    SandboxCounters sandboxCounters;

    public static String signIn(String user, String password) {
        Response r = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("j_username", user).formParam("j_password", password).post("/j_security_check");
        assertEquals(302, r.statusCode(), r::asString);
        return r.getCookie(OpsSignIn.SESSION_COOKIE);
    }

    /** The CSRF cookie and the field a dashboard page carries. */
    record Csrf(String cookie, String field) {
    }

    static Csrf csrfFrom(String session, String path) {
        Response page = given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get(path);
        assertEquals(200, page.statusCode(), page::asString);
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.asString());
        assertTrue(m.find(), "the page carries a CSRF field");
        String cookie = page.getCookie(OpsCsrf.COOKIE);
        assertNotNull(cookie, "the page sets the CSRF cookie");
        return new Csrf(cookie, m.group(1));
    }

    @Test
    void nothing_of_the_dashboard_is_reachable_anonymously() {
        for (String path : new String[] { "/ops", "/ops/grants", "/ops/grants/anyone", "/ops/grants/anyone/confirm/disconnect" }) {
            given().redirects().follow(false).get(path).then().statusCode(302)
                    .header("Location", endsWith("/ops/login"));
        }
        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("csrf", "x")
                .post("/ops/grants/anyone/disconnect").then().statusCode(302).header("Location", endsWith("/ops/login"));
        given().get("/ops/login").then().statusCode(200).body(containsString("j_security_check"));
    }

    @Test
    void operator_signs_in_with_the_configured_bcrypt_account() {
        String session = signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        assertNotNull(session);
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops").then().statusCode(200)
                .header("X-Frame-Options", "DENY").body(containsString("Overview"))
                .body(containsString(">operator<"));
        // user names are not case sensitive
        assertNotNull(signIn("OPERATOR", OpsPasswords.DEV_PASSWORD));
    }

    @Test
    void dashboard_pages_carry_a_content_security_policy_without_inline_scripts() {
        String session = signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        for (String path : new String[] { "/ops", "/ops/grants", "/ops/login", "/ops/grants/nobody-here" }) {
            Response r = given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get(path);
            String csp = r.header("Content-Security-Policy");
            assertNotNull(csp, path);
            assertTrue(csp.contains("script-src 'self';") && !csp.contains("unsafe-eval")
                    && csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self';"), path + ": " + csp);
            assertEquals("nosniff", r.header("X-Content-Type-Options"), path);
            assertTrue(!r.asString().contains("onclick=") && !r.asString().contains("<script>"), path);
        }
        // the dashboard's one script is served to signed-in browsers only
        given().redirects().follow(false).get("/ops/assets/ops.js").then().statusCode(302);
        given().cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops/assets/ops.js").then().statusCode(200)
                .body(containsString("reauth-link"));
    }

    @Test
    void wrong_password_or_unknown_user_goes_back_to_the_login_page_with_an_error() {
        for (String[] c : new String[][] { { "operator", "wrong" }, { "nobody", OpsPasswords.DEV_PASSWORD }, { "operator", "" } }) {
            Response r = given().redirects().follow(false).contentType(ContentType.URLENC)
                    .formParam("j_username", c[0]).formParam("j_password", c[1]).post("/j_security_check");
            assertEquals(302, r.statusCode(), () -> c[0] + "/" + c[1] + ": " + r.headers() + "\n" + r.asString());
            assertTrue(r.header("Location").contains("/ops/login?error"), r.header("Location"));
            assertEquals(null, r.getCookie(OpsSignIn.SESSION_COOKIE));
        }
        given().get("/ops/login?error=true").then().statusCode(200).body(containsString("Wrong user name or password"));
    }

    @Test
    void an_account_without_the_ops_role_is_forbidden() {
        String session = signIn("viewer", OpsPasswords.DEV_PASSWORD);
        for (String path : new String[] { "/ops", "/ops/grants" }) {
            given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get(path).then().statusCode(403)
                    .body(containsString("Not an operator")).body(containsString("signed in as viewer"))
                    .body(not(containsString("data-state")));
        }
        // the page offers to sign out, to come back with another account
        Response page = given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops");
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.asString());
        assertTrue(m.find(), page::asString);
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session)
                .cookie(OpsCsrf.COOKIE, page.getCookie(OpsCsrf.COOKIE)).contentType(ContentType.URLENC)
                .formParam("csrf", m.group(1)).post("/ops/logout").then().statusCode(303)
                .header("Location", endsWith("/ops/login?logout=true"));
    }

    @Test
    void a_bearer_jwt_does_not_open_the_dashboard_and_a_dashboard_session_does_not_open_the_api() {
        given().redirects().follow(false).auth().oauth2(TestJwt.ops()).get("/ops").then().statusCode(302)
                .header("Location", endsWith("/ops/login"));
        String session = signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get("/admin/partners").then()
                .statusCode(401).contentType("application/problem+json");
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get("/tokens/anyone").then()
                .statusCode(401);
    }

    @Test
    void dashboard_actions_need_the_csrf_token_and_are_audited_with_the_operator() {
        String k = key();
        String p = onboarded(sandboxPartners, k, "Csrf Partner Ltd");
        String session = signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        Csrf csrf = csrfFrom(session, "/ops/grants/" + p + "/confirm/disconnect");
        // no token, a wrong token, or a token without its cookie: refused, nothing happens
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).contentType(ContentType.URLENC)
                .post("/ops/grants/" + p + "/disconnect").then().statusCode(403).body(containsString("Form expired"));
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).cookie(OpsCsrf.COOKIE, csrf.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", "A".repeat(43))
                .post("/ops/grants/" + p + "/disconnect").then().statusCode(403);
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).contentType(ContentType.URLENC)
                .formParam("csrf", csrf.field()).post("/ops/grants/" + p + "/disconnect").then().statusCode(403);
        assertEquals("ACTIVE", db.one("select state from partner_grant where partner_id = ?", p).get("state"));
        // with both: done, and back to the grant page
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).cookie(OpsCsrf.COOKIE, csrf.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", csrf.field())
                .post("/ops/grants/" + p + "/disconnect").then().statusCode(303)
                .header("Location", endsWith("/ops/grants/" + p + "?done=disconnected"));
        assertEquals("REVOKED", db.one("select state from partner_grant where partner_id = ?", p).get("state"));
        assertEquals("operator", db.one("select actor from audit_event where partner_id = ? and action = 'GRANT_DISCONNECTED'",
                p).get("actor"));
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops/grants/" + p).then()
                .statusCode(200).body(containsString("data-state=\"REVOKED\"")).body(not(containsString("action-disconnect")));
    }

    @Test
    void the_confirmation_page_is_a_get_that_changes_nothing() {
        String k = key();
        String p = onboarded(sandboxPartners, k, "Confirm Only Ltd");
        String session = signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        long refreshes = sandboxCounters.refreshesForPartner(k);
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session)
                .get("/ops/grants/" + p + "/confirm/refresh").then().statusCode(200).body(containsString("Refresh now"));
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session)
                .get("/ops/grants/" + p + "/confirm/unknown").then().statusCode(404);
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session)
                .get("/ops/grants/nobody-" + k).then().statusCode(404).body(containsString("No grant"));
        assertEquals(refreshes, sandboxCounters.refreshesForPartner(k));
    }

    @Test
    void signing_out_forgets_the_session_cookie() {
        String session = signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        Csrf csrf = csrfFrom(session, "/ops");
        Response r = given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session)
                .cookie(OpsCsrf.COOKIE, csrf.cookie()).contentType(ContentType.URLENC).formParam("csrf", csrf.field())
                .post("/ops/logout");
        assertEquals(303, r.statusCode());
        assertEquals("", r.getCookie(OpsSignIn.SESSION_COOKIE));
        assertTrue(r.getDetailedCookie(OpsSignIn.SESSION_COOKIE).getMaxAge() <= 0);
    }

    // --- fail closed: throttled sign-in, sign-out that ends the session ------------------------------------

    @Inject
    OpsIdentityProvider identityProvider;

    private static Response attempt(String user, String password) {
        return given().redirects().follow(false).contentType(ContentType.URLENC).formParam("j_username", user)
                .formParam("j_password", password).post("/j_security_check");
    }

    @Test
    void after_five_failed_sign_ins_the_account_is_throttled_without_checking_the_password() {
        for (int i = 0; i < 5; i++) {
            Response r = attempt("locksmith", "wrong-" + i);
            assertEquals(302, r.statusCode());
            assertTrue(r.header("Location").contains("/ops/login?error"), r.header("Location"));
        }
        long bcryptBefore = identityProvider.bcryptRuns();
        // even the right password is not checked now: no session, sent to the "too many attempts" page
        Response r = attempt("LOCKSMITH", OpsPasswords.DEV_PASSWORD);
        assertEquals(302, r.statusCode());
        assertTrue(r.header("Location").endsWith("/ops/login?throttled=true"), r.header("Location"));
        assertNotNull(r.header("Retry-After"));
        assertEquals(null, r.getCookie(OpsSignIn.SESSION_COOKIE));
        assertEquals(bcryptBefore, identityProvider.bcryptRuns(), "no bcrypt for a throttled attempt");
        given().get("/ops/login?throttled=true").then().statusCode(429)
                .body(containsString("Too many failed sign-in attempts"));
        // other accounts are not affected
        assertNotNull(signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD));
    }

    @Test
    void a_session_cookie_copied_before_sign_out_no_longer_opens_the_dashboard() {
        String session = signIn("viewer", OpsPasswords.DEV_PASSWORD);
        String other = signIn("operator", OpsPasswords.DEV_PASSWORD);
        String copy = signIn("OPERATOR", OpsPasswords.DEV_PASSWORD);
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, copy).get("/ops").then().statusCode(200);
        Csrf csrf = csrfFrom(other, "/ops");
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, other).cookie(OpsCsrf.COOKIE, csrf.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", csrf.field()).post("/ops/logout").then()
                .statusCode(303);

        // every session of the account ends, copies included, on every replica (the sign-out is in PostgreSQL)
        for (String s : new String[] { other, copy }) {
            given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, s).get("/ops").then().statusCode(302)
                    .header("Location", endsWith("/ops/login"));
        }
        // another account's session is untouched, and signing in again works
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops").then().statusCode(403);
        String again = signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, again).get("/ops").then().statusCode(200);
    }
}
