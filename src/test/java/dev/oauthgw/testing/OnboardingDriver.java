package dev.oauthgw.testing;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Drives onboarding over HTTP as a browser would: admin API to make a partner and a link, the link's
 * Connect page, the sandbox consent form, and the callback (with the browser-binding cookie).
 */
public final class OnboardingDriver {

    public static final String COOKIE = "gw_onboarding";
    private static final Pattern REQUEST_ID = Pattern.compile("name=\"request_id\" value=\"([^\"]+)\"");

    private OnboardingDriver() {
    }

    /** What a Connect click produced: where the browser goes, and its binding cookie. */
    public record Started(URI authorizeUri, String cookie) {
        public String state() {
            return query(authorizeUri, "state");
        }
    }

    /** The provider's redirect back to the gateway. */
    public record Redirect(URI callback, String cookie) {
        public String callbackPath() {
            return callback.getRawPath() + "?" + callback.getRawQuery();
        }
    }

    public static String newPartner(String displayName) {
        return newPartner(displayName, null);
    }

    public static String newPartner(String displayName, String providerAccountId) {
        String id = "p-" + UUID.randomUUID().toString().substring(0, 13);
        StringBuilder body = new StringBuilder("{\"id\":\"" + id + "\",\"display_name\":\"" + displayName + "\"");
        if (providerAccountId != null) {
            body.append(",\"provider_account_id\":\"").append(providerAccountId).append('"');
        }
        body.append('}');
        given().auth().oauth2(TestJwt.ops()).contentType(ContentType.JSON).body(body.toString())
                .post("/admin/partners").then().statusCode(201);
        return id;
    }

    /** A fresh onboarding link for the partner: the path part, e.g. /onboarding/abc.def */
    public static String newLinkPath(String partnerId) {
        String url = given().auth().oauth2(TestJwt.ops()).contentType(ContentType.JSON).body("{}")
                .post("/admin/partners/" + partnerId + "/onboarding-links").then().statusCode(201)
                .extract().path("url");
        return URI.create(url).getRawPath();
    }

    public static Started connect(String linkPath, String existingCookie) {
        var req = given().redirects().follow(false);
        if (existingCookie != null) {
            req = req.cookie(COOKIE, existingCookie);
        }
        Response r = req.post(linkPath + "/connect");
        assertEquals(303, r.statusCode(), () -> "Connect should redirect to the provider: " + r.asString());
        String cookie = r.getCookie(COOKIE);
        return new Started(URI.create(r.header("Location")), cookie != null ? cookie : existingCookie);
    }

    /** Shows the sandbox consent page and submits the decision; returns the redirect back to the gateway. */
    public static Redirect consent(Started s, String sandboxPartner, boolean allow) {
        URI a = s.authorizeUri();
        Response page = given().redirects().follow(false).urlEncodingEnabled(false)
                .get(a.getRawPath() + "?" + a.getRawQuery());
        assertEquals(200, page.statusCode(), () -> "consent page: " + page.asString());
        Matcher m = REQUEST_ID.matcher(page.asString());
        assertTrue(m.find(), "consent page carries a request id");
        Response decision = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("request_id", m.group(1)).formParam("partner", sandboxPartner)
                .formParam("decision", allow ? "allow" : "deny")
                .post("/sandbox/authorize/decision");
        assertEquals(303, decision.statusCode(), () -> "decision: " + decision.asString());
        return new Redirect(URI.create(decision.header("Location")), s.cookie());
    }

    /** Follows the provider's redirect back to the gateway's callback with the given cookie (null: none). */
    public static Response callback(Redirect r, String cookie) {
        var req = given().redirects().follow(false).urlEncodingEnabled(false);
        if (cookie != null) {
            req = req.cookie(COOKIE, cookie);
        }
        return req.get(r.callbackPath());
    }

    /** The whole happy path for a partner as the given sandbox partner; returns the result page. */
    public static Response onboard(String partnerId, String sandboxPartner) {
        Started s = connect(newLinkPath(partnerId), null);
        Redirect r = consent(s, sandboxPartner, true);
        return callback(r, r.cookie());
    }

    public static String outcome(Response page) {
        Matcher m = Pattern.compile("data-outcome=\"([A-Z_]+)\"").matcher(page.asString());
        return m.find() ? m.group(1) : "<no outcome on page: " + page.statusCode() + ">";
    }

    public static String query(URI uri, String name) {
        return Urls.query(uri.toString()).get(name);
    }
}
