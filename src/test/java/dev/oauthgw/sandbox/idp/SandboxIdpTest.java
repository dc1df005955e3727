package dev.oauthgw.sandbox.idp;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.SandboxTokens;
import dev.oauthgw.testing.Urls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The sandbox identity provider behaves like an OpenID Connect provider should: discovery, exact redirect
 * URIs, PKCE S256 required, single-use codes, client authentication, and ID tokens that verify against its
 * JWK Set and carry the nonce, email and groups.
 */
@QuarkusTest
class SandboxIdpTest {

    /** The issuer on the test server (the port it binds). */
    static String issuer() {
        return Urls.publicUrl() + "/sandbox/idp";
    }

    /** The dashboard's registered redirect URI on the test server. */
    static String redirect() {
        return Urls.publicUrl() + "/ops/oidc/callback";
    }

    static final String SECRET = "sandbox-idp-secret-not-for-production";
    static final String VERIFIER = "a-code-verifier-of-enough-length-0123456789-abcdefghij";

    static Map<String, String> authorizeParams() {
        return Map.of("client_id", "gateway-ops", "redirect_uri", redirect(), "response_type", "code", "scope",
                "openid email profile", "state", "st-1", "nonce", "n-0S6_WzA2Mj", "code_challenge",
                SandboxTokens.s256(VERIFIER), "code_challenge_method", "S256");
    }

    /** Signs {@code user} in and returns the code sent back to the redirect URI. */
    static String code(String user) {
        Response page = given().queryParams(authorizeParams()).get("/sandbox/idp/authorize");
        assertEquals(200, page.statusCode(), page::asString);
        Matcher m = Pattern.compile("name=\"request_id\" value=\"([^\"]+)\"").matcher(page.asString());
        assertTrue(m.find());
        Response back = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("request_id", m.group(1)).formParam("user", user).formParam("decision", "sign-in")
                .post("/sandbox/idp/authorize/decision");
        assertEquals(303, back.statusCode());
        Matcher c = Pattern.compile("[?&]code=([^&]+)&state=st-1$").matcher(back.header("Location"));
        assertTrue(c.find(), back.header("Location"));
        return c.group(1);
    }

    static Response exchange(String code, String verifier, String secret) {
        return given().auth().preemptive().basic("gateway-ops", secret).contentType(ContentType.URLENC)
                .formParam("grant_type", "authorization_code").formParam("code", code)
                .formParam("redirect_uri", redirect()).formParam("code_verifier", verifier).post("/sandbox/idp/token");
    }

    @Test
    void discovery_names_its_endpoints_under_the_issuer() {
        given().get("/sandbox/idp/.well-known/openid-configuration").then().statusCode(200)
                .body("issuer", equalTo(issuer())).body("authorization_endpoint", equalTo(issuer() + "/authorize"))
                .body("token_endpoint", equalTo(issuer() + "/token")).body("jwks_uri", equalTo(issuer() + "/jwks"))
                .body("end_session_endpoint", equalTo(issuer() + "/logout"))
                .body("code_challenge_methods_supported", equalTo(List.of("S256")));
    }

    @Test
    void an_id_token_verifies_against_the_jwks_and_carries_nonce_email_and_groups() throws Exception {
        Response r = exchange(code("alice"), VERIFIER, SECRET);
        r.then().statusCode(200).header("Cache-Control", "no-store").body("token_type", equalTo("Bearer"));
        JsonWebKeySet jwks = new JsonWebKeySet(given().get("/sandbox/idp/jwks").asString());
        JwtClaims claims = new JwtConsumerBuilder().setVerificationKeyResolver(new JwksVerificationKeyResolver(jwks.getJsonWebKeys()))
                .setExpectedIssuer(issuer()).setExpectedAudience("gateway-ops").setRequireExpirationTime().build()
                .processToClaims(r.path("id_token"));
        assertEquals("n-0S6_WzA2Mj", claims.getClaimValueAsString("nonce"));
        assertEquals("alice@vendor.example", claims.getClaimValueAsString("email"));
        assertEquals(List.of("gateway-operators", "engineering"), claims.getStringListClaimValue("groups"));
        assertEquals("sandbox-idp|alice", claims.getSubject());
    }

    @Test
    void a_code_works_once_with_its_verifier_and_the_clients_secret() {
        // invalid_grant answers 403, as Auth0 does (RFC 6749 says 400; relying parties accept either)
        String code = code("bob");
        exchange(code, VERIFIER, "wrong-secret").then().statusCode(401).body("error", equalTo("invalid_client"));
        String code2 = code("bob");
        exchange(code2, VERIFIER.replace('a', 'b'), SECRET).then().statusCode(403).body("error", equalTo("invalid_grant"));
        // the failed attempt used the code up
        exchange(code2, VERIFIER, SECRET).then().statusCode(403).body("error", equalTo("invalid_grant"));
        String code3 = code("bob");
        exchange(code3, VERIFIER, SECRET).then().statusCode(200);
        exchange(code3, VERIFIER, SECRET).then().statusCode(403).body("error", equalTo("invalid_grant"));
    }

    @Test
    void unknown_clients_and_unregistered_redirect_uris_are_never_redirected_to() {
        given().redirects().follow(false).queryParams(Map.of("client_id", "someone-else", "redirect_uri", redirect()))
                .get("/sandbox/idp/authorize").then().statusCode(400).body(containsString("Unknown client"));
        given().redirects().follow(false).queryParams(Map.of("client_id", "gateway-ops", "redirect_uri",
                "https://attacker.example/cb")).get("/sandbox/idp/authorize").then().statusCode(400)
                .body(containsString("Invalid redirect_uri"));
    }

    @Test
    void pkce_and_the_openid_scope_are_required() {
        Map<String, String> noPkce = new java.util.HashMap<>(authorizeParams());
        noPkce.remove("code_challenge");
        given().redirects().follow(false).queryParams(noPkce).get("/sandbox/idp/authorize").then().statusCode(302)
                .header("Location", startsWith(redirect() + "?error=invalid_request"));
        Map<String, String> noOpenid = new java.util.HashMap<>(authorizeParams());
        noOpenid.put("scope", "email");
        given().redirects().follow(false).queryParams(noOpenid).get("/sandbox/idp/authorize").then().statusCode(302)
                .header("Location", startsWith(redirect() + "?error=invalid_scope"));
    }

    @Test
    void logout_goes_back_only_to_a_registered_address_and_only_for_its_client() {
        String after = Urls.publicUrl() + "/ops/login?logout=true";
        String idToken = exchange(code("alice"), VERIFIER, SECRET).path("id_token");
        given().redirects().follow(false).queryParam("post_logout_redirect_uri", after).queryParam("id_token_hint", idToken)
                .get("/sandbox/idp/logout").then().statusCode(303).header("Location", equalTo(after));
        given().redirects().follow(false).queryParam("post_logout_redirect_uri", after).queryParam("client_id", "gateway-ops")
                .get("/sandbox/idp/logout").then().statusCode(303).header("Location", equalTo(after));
        // unregistered address, no proof of the client, or a hint this provider did not sign: no redirect
        given().redirects().follow(false).queryParam("post_logout_redirect_uri", "https://attacker.example/")
                .queryParam("id_token_hint", idToken).get("/sandbox/idp/logout").then().statusCode(200)
                .body(containsString("Signed out"));
        given().redirects().follow(false).queryParam("post_logout_redirect_uri", after).get("/sandbox/idp/logout").then()
                .statusCode(200);
        String[] p = idToken.split("\\.");
        String forged = p[0] + "." + p[1] + "." + p[2].substring(0, p[2].length() - 4) + "AAAA";
        given().redirects().follow(false).queryParam("post_logout_redirect_uri", after).queryParam("id_token_hint", forged)
                .get("/sandbox/idp/logout").then().statusCode(200);
    }
}
