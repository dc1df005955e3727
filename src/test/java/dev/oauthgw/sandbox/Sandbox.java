package dev.oauthgw.sandbox;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.oauthgw.sandbox.authserver.SandboxGrants;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Test helpers for the sandbox: the registered clients, PKCE pairs, and short cuts through the flows. */
public final class Sandbox {

    public static final String CLIENT_ID = "gateway-sandbox";
    public static final String CLIENT_SECRET = "sandbox-only-secret-not-for-production";
    public static final String BASIC_CLIENT = "rfc-basic";
    public static final String BASIC_SECRET = "rfc-basic-sandbox-secret";
    public static final String POST_CLIENT = "rfc-post";
    public static final String POST_SECRET = "rfc-post-sandbox-secret";
    /** The gateway's callback on the test server (the sandbox client's registered redirect URI). */
    public static final String REDIRECT_URI = dev.oauthgw.testing.Urls.publicUrl() + "/onboarding/callback";
    public static final String API = "https://api.pax8.com";
    public static final String SCOPE = "Manage:Pax8Data offline_access";
    public static final String ACME_PARTNER_ID = "4f6d3a52-0c1e-4b8e-9a51-3c2f1d7e8a01";
    public static final String GLOBEX_PARTNER_ID = "8b2e5c7d-1f3a-4d6b-8e9c-5a7b3d2f1e02";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Sandbox() {
    }

    /** A PKCE verifier and its S256 challenge. */
    public record Pkce(String verifier, String challenge) {
        public static Pkce create() {
            byte[] b = new byte[32];
            RANDOM.nextBytes(b);
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The opaque request id the consent form carries. */
    public static String requestId(String consentHtml) {
        Matcher m = Pattern.compile("name=\"request_id\" value=\"([^\"]+)\"").matcher(consentHtml);
        if (!m.find()) {
            throw new AssertionError("no request_id on the consent page");
        }
        return m.group(1);
    }

    /** Query parameters of a redirect Location, decoded. */
    public static Map<String, String> query(String location) {
        return dev.oauthgw.testing.Urls.query(location);
    }

    /** A JSON (Pax8 dialect) token request. */
    public static Response tokenJson(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/sandbox/v1/token");
    }

    /** Body of an authorization_code exchange for the default client. */
    public static Map<String, Object> codeExchange(String code, String verifier) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("client_id", CLIENT_ID);
        body.put("client_secret", CLIENT_SECRET);
        body.put("audience", API);
        body.put("code", code);
        body.put("redirect_uri", REDIRECT_URI);
        if (verifier != null) {
            body.put("code_verifier", verifier);
        }
        return body;
    }

    public static Map<String, Object> refreshBody(String refreshToken) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("grant_type", "refresh_token");
        body.put("client_id", CLIENT_ID);
        body.put("client_secret", CLIENT_SECRET);
        body.put("audience", API);
        body.put("refresh_token", refreshToken);
        return body;
    }

    public static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(body);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return copy;
    }

    /** Consent (programmatic) and code exchange in one: the token response of a fresh grant. */
    public static Response grant(SandboxGrants grants, String partnerKey, String scope) {
        Pkce pkce = Pkce.create();
        String code = grants.issueCode(CLIENT_ID, REDIRECT_URI, partnerKey, scope, API, pkce.challenge());
        return tokenJson(codeExchange(code, pkce.verifier()));
    }

    public static Response refresh(String refreshToken) {
        return tokenJson(refreshBody(refreshToken));
    }

    public static Response companies(String accessToken) {
        return given().auth().oauth2(accessToken).when().get("/sandbox/v1/companies");
    }

    /** An RFC 6749 error answer: the status, the error code, never cached, and nothing of the implementation. */
    public static void assertError(Response r, int status, String error) {
        r.then().statusCode(status).contentType(containsString("application/json"))
                .header("Cache-Control", "no-store").header("Pragma", "no-cache")
                .body("error", equalTo(error)).body("error_description", notNullValue())
                .body(not(containsString("Exception"))).body(not(containsString("dev.oauthgw")));
    }
}
