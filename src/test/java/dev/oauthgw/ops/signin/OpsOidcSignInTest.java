package dev.oauthgw.ops.signin;

import static dev.oauthgw.testing.OpsTestSupport.key;
import static dev.oauthgw.testing.OpsTestSupport.onboarded;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.testing.Urls;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.filter.cookie.CookieFilter;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Operators sign in to the dashboard at the vendor's identity provider (OIDC code flow with PKCE and nonce),
 * here the sandbox's. Who gets in is decided by the groups in the ID token; the JSON APIs keep taking bearer
 * JWTs only, and the built-in accounts are off.
 */
@QuarkusTest
@TestProfile(OidcSignInProfile.class)
class OpsOidcSignInTest {

    @Inject
    Db db;
    @Inject
    SandboxPartners sandboxPartners;

    /** A browser: keeps cookies by path, follows nothing on its own. */
    record Browser(CookieFilter cookies) {
        Browser() {
            this(new CookieFilter());
        }

        Response get(String url) {
            return given().filter(cookies).urlEncodingEnabled(false).redirects().follow(false).get(url);
        }

        Response post(String url, Map<String, String> form) {
            return given().filter(cookies).redirects().follow(false).contentType(ContentType.URLENC).formParams(form)
                    .post(url);
        }
    }

    /** Opens /ops, answers the identity provider's sign-in page as {@code user} and comes back: the last response. */
    static Response signIn(Browser b, String user, String decision) {
        Response start = b.get("/ops/grants");
        assertEquals(302, start.statusCode(), start::asString);
        String authorize = start.header("Location");
        assertTrue(authorize.startsWith(Urls.publicUrl() + "/sandbox/idp/authorize?"), authorize);
        Response page = b.get(authorize);
        assertEquals(200, page.statusCode(), page::asString);
        Matcher m = Pattern.compile("name=\"request_id\" value=\"([^\"]+)\"").matcher(page.asString());
        assertTrue(m.find());
        Response back = b.post("/sandbox/idp/authorize/decision",
                Map.of("request_id", m.group(1), "user", user, "decision", decision));
        assertEquals(303, back.statusCode(), back::asString);
        String callback = back.header("Location");
        assertTrue(callback.startsWith(Urls.publicUrl() + "/ops/oidc/callback?"), callback);
        return b.get(callback);
    }

    @Test
    void the_dashboard_sends_the_browser_to_the_identity_provider_with_pkce_nonce_and_state() {
        Browser b = new Browser();
        Response start = b.get("/ops");
        assertEquals(302, start.statusCode());
        Map<String, String> q = Urls.query(start.header("Location"));
        assertEquals("code", q.get("response_type"));
        assertEquals("gateway-ops", q.get("client_id"));
        assertEquals(Urls.publicUrl() + "/ops/oidc/callback", q.get("redirect_uri"));
        assertTrue(q.get("scope").contains("openid"), q.toString());
        assertEquals("S256", q.get("code_challenge_method"));
        assertNotNull(q.get("code_challenge"));
        assertNotNull(q.get("nonce"));
        assertTrue(q.get("state").length() >= 16, q.toString());
        // the sign-in page names the provider and starts the same flow
        given().get("/ops/login").then().statusCode(200).body(containsString("Sign in with the sandbox identity provider"))
                .body(not(containsString("j_security_check")));
    }

    @Test
    void a_member_of_an_operator_group_signs_in_and_acts_as_herself() {
        Browser b = new Browser();
        Response done = signIn(b, "alice", "sign-in");
        assertEquals(302, done.statusCode(), done::asString);
        // back where she started, the code and state gone from the address
        assertEquals(Urls.publicUrl() + "/ops/grants", done.header("Location"));
        b.get("/ops").then().statusCode(200).body(containsString(">alice@vendor.example<"))
                // sign-out's form redirects to the identity provider: the policy lets forms go there too
                .header("Content-Security-Policy", containsString("form-action 'self' " + Urls.publicUrl() + ";"));

        // an action is audited with her identity at the identity provider
        String p = onboarded(sandboxPartners, key(), "Oidc Partner Ltd");
        Response confirm = b.get("/ops/grants/" + p + "/confirm/disconnect");
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(confirm.asString());
        assertTrue(m.find(), confirm::asString);
        b.post("/ops/grants/" + p + "/disconnect", Map.of("csrf", m.group(1))).then().statusCode(303);
        // the audit names her by email and by the identity provider's stable subject
        assertEquals("alice@vendor.example (sub sandbox-idp|alice)",
                db.one("select actor from audit_event where partner_id = ? and action = 'GRANT_DISCONNECTED'", p).get("actor"));
    }

    @Test
    void someone_outside_the_operator_groups_is_told_so_and_gets_nothing() {
        Browser b = new Browser();
        assertEquals(302, signIn(b, "bob", "sign-in").statusCode());
        for (String path : new String[] { "/ops", "/ops/grants" }) {
            b.get(path).then().statusCode(403).body(containsString("Not an operator"))
                    .body(containsString("bob@vendor.example")).body(not(containsString("data-state")));
        }
    }

    @Test
    void a_cancelled_sign_in_lands_on_the_sign_in_page_with_the_reason() {
        Browser b = new Browser();
        Response r = signIn(b, "alice", "cancel");
        assertEquals(302, r.statusCode(), r::asString);
        String location = r.header("Location");
        assertTrue(location.contains("/ops/login?") && location.contains("error=access_denied"), location);
        b.get(location).then().statusCode(200).body(containsString("did not sign you in"))
                .body(containsString("the sign-in was cancelled or refused")).body(containsString("access_denied"))
                .body(not(containsString("The user cancelled the sign-in"))); // the description is not repeated
        b.get("/ops").then().statusCode(302);
        // a crafted link cannot put its own words on the sign-in page
        given().get("/ops/login?error=call_+555-0100&error_description=Call+the+helpdesk+at+555-0100").then()
                .statusCode(200).body(containsString("did not sign you in: error.")).body(not(containsString("555-0100")));
    }

    @Test
    void a_callback_with_a_forged_state_or_a_replayed_code_signs_nobody_in() {
        Browser b = new Browser();
        Response start = b.get("/ops");
        Response page = b.get(start.header("Location"));
        Matcher m = Pattern.compile("name=\"request_id\" value=\"([^\"]+)\"").matcher(page.asString());
        assertTrue(m.find());
        String callback = b.post("/sandbox/idp/authorize/decision",
                Map.of("request_id", m.group(1), "user", "alice", "decision", "sign-in")).header("Location");
        Map<String, String> q = Urls.query(callback);

        // the code arrives with a state this browser never sent: not accepted
        Response forged = b.get("/ops/oidc/callback?code=" + q.get("code") + "&state=forged-state-value-0123456789");
        assertNotEquals200(forged);
        assertNull(forged.getCookie(OpsSignIn.OIDC_SESSION_COOKIE));

        // another browser (no state cookie) presenting the real callback: not accepted either
        Browser other = new Browser();
        Response stolen = other.get(callback);
        assertNotEquals200(stolen);
        assertNull(stolen.getCookie(OpsSignIn.OIDC_SESSION_COOKIE));
        other.get("/ops").then().statusCode(302);
    }

    private static void assertNotEquals200(Response r) {
        assertFalse(r.statusCode() == 200, () -> r.statusCode() + " " + r.asString());
        String location = r.header("Location");
        assertTrue(location == null || !location.endsWith("/ops") && !location.endsWith("/ops/grants"), location);
    }

    @Test
    void a_bearer_jwt_does_not_open_the_dashboard_and_the_apis_still_take_jwts_only() {
        given().redirects().follow(false).auth().oauth2(TestJwt.ops()).get("/ops").then().statusCode(302)
                .header("Location", containsString("/sandbox/idp/authorize"));
        given().auth().oauth2(TestJwt.ops()).get("/admin/partners").then().statusCode(200);
        given().redirects().follow(false).get("/admin/partners").then().statusCode(401)
                .contentType("application/problem+json");
        given().redirects().follow(false).get("/caller").then().statusCode(401);
        given().redirects().follow(false).get("/tokens/anyone").then().statusCode(401);
        // a dashboard session does not open the API
        Browser b = new Browser();
        signIn(b, "alice", "sign-in");
        b.get("/admin/partners").then().statusCode(401);
    }

    @Test
    void the_built_in_accounts_are_off() {
        // the documented dev account is configured in this profile, and still refused
        Response r = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("j_username", OpsPasswords.DEV_USER).formParam("j_password", OpsPasswords.DEV_PASSWORD)
                .post("/j_security_check");
        assertTrue(r.statusCode() == 302 && r.header("Location").contains("/ops/login?error"), r::asString);
        assertNull(r.getCookie(OpsSignIn.SESSION_COOKIE));
    }

    @Test
    void signing_out_ends_the_session_here_and_at_the_identity_provider() {
        Browser b = new Browser();
        signIn(b, "alice", "sign-in");
        Response overview = b.get("/ops");
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(overview.asString());
        assertTrue(m.find());
        Response out = b.post("/ops/logout", Map.of("csrf", m.group(1)));
        assertEquals(303, out.statusCode(), out::asString);
        Map<String, String> q = Urls.query(out.header("Location"));
        assertTrue(out.header("Location").startsWith(Urls.publicUrl() + "/sandbox/idp/logout?"), out.header("Location"));
        assertEquals(Urls.publicUrl() + "/ops/login?logout=true", q.get("post_logout_redirect_uri"));
        assertNotNull(q.get("id_token_hint"));
        Response idp = b.get(out.header("Location"));
        assertEquals(303, idp.statusCode());
        b.get(idp.header("Location")).then().statusCode(200).body(containsString("You are signed out"));
        b.get("/ops").then().statusCode(302).header("Location", containsString("/sandbox/idp/authorize"));
    }
}
