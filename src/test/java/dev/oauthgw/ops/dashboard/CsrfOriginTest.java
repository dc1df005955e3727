package dev.oauthgw.ops.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.oauthgw.ops.signin.OpsPasswords;
import dev.oauthgw.ops.signin.OpsSignIn;
import dev.oauthgw.ops.signin.OpsSignInTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** A form with a good token is still refused when the browser says it comes from another site. */
@QuarkusTest
class CsrfOriginTest {

    private static String[] csrf(String session) {
        Response page = given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops");
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.asString());
        assertTrue(m.find());
        return new String[] { page.getCookie(OpsCsrf.COOKIE), m.group(1) };
    }

    private static Response logout(String session, String[] csrf, String header, String value) {
        var req = given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session)
                .cookie(OpsCsrf.COOKIE, csrf[0]).contentType(ContentType.URLENC).formParam("csrf", csrf[1]);
        if (header != null) {
            req = req.header(header, value);
        }
        return req.post("/ops/logout");
    }

    @Test
    void a_form_posted_from_another_site_is_refused_even_with_the_right_token() {
        String session = OpsSignInTest.signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        String[] csrf = csrf(session);
        for (String[] h : new String[][] { { "Sec-Fetch-Site", "cross-site" }, { "Sec-Fetch-Site", "same-site" },
                { "Origin", "https://evil.example" }, { "Origin", "null" } }) {
            Response r = logout(session, csrf, h[0], h[1]);
            assertEquals(403, r.statusCode(), h[0] + ": " + h[1]);
            assertTrue(r.asString().contains("Form expired"));
        }
        // still signed in: nothing happened
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops").then().statusCode(200)
                .body(containsString("Overview"));
        // the same form from the dashboard itself goes through
        assertEquals(303, logout(session, csrf, "Sec-Fetch-Site", "same-origin").statusCode());
    }

    @Test
    void origin_rules() {
        String pub = "gw.vendor.example";
        assertTrue(OpsCsrf.sameOrigin(null, null, "anything", pub));
        assertTrue(OpsCsrf.sameOrigin("same-origin", "https://evil.example", "gw.internal:8080", pub));
        assertFalse(OpsCsrf.sameOrigin("cross-site", null, "gw.internal", pub));
        assertFalse(OpsCsrf.sameOrigin("none", null, "gw.internal", pub));
        assertTrue(OpsCsrf.sameOrigin(null, "https://gw.vendor.example", "gw.internal:8080", pub), "behind a proxy");
        assertTrue(OpsCsrf.sameOrigin(null, "http://gw.internal:8080", "gw.internal:8080", pub));
        assertFalse(OpsCsrf.sameOrigin(null, "https://gw.vendor.example.evil.example", "gw.internal:8080", pub));
        assertFalse(OpsCsrf.sameOrigin(null, "null", "gw.internal:8080", pub));
    }
}
