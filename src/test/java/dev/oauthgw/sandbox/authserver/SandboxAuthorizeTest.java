package dev.oauthgw.sandbox.authserver;

import static dev.oauthgw.sandbox.Sandbox.API;
import static dev.oauthgw.sandbox.Sandbox.CLIENT_ID;
import static dev.oauthgw.sandbox.Sandbox.REDIRECT_URI;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.Redirects;
import dev.oauthgw.sandbox.Sandbox;
import dev.oauthgw.sandbox.control.SandboxReset;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
class SandboxAuthorizeTest {

    @Inject
    SandboxReset reset;

    @Inject
    SandboxPartners partners;

    @Inject
    SandboxCounters counters;

    @BeforeEach
    void fresh() {
        reset.everything();
    }

    private static RequestSpecification authorize(Sandbox.Pkce pkce, String st) {
        RequestSpecification r = given().redirects().follow(false)
                .queryParam("response_type", "code")
                .queryParam("client_id", CLIENT_ID)
                .queryParam("redirect_uri", REDIRECT_URI)
                .queryParam("scope", Sandbox.SCOPE)
                .queryParam("audience", API)
                .queryParam("code_challenge", pkce.challenge())
                .queryParam("code_challenge_method", "S256");
        return st == null ? r : r.queryParam("state", st);
    }

    private static Response decide(String requestId, String partner, String decision) {
        return given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("request_id", requestId).formParam("partner", partner).formParam("decision", decision)
                .when().post("/sandbox/authorize/decision");
    }

    @Test
    void consent_page_names_the_client_lists_scopes_audience_and_every_partner() {
        String html = authorize(Sandbox.Pkce.create(), "s1").when().get("/sandbox/authorize")
                .then().statusCode(200).contentType(containsString("text/html"))
                .header("Cache-Control", "no-store")
                .body(containsString("Pax8 OAuth Gateway (sandbox)"))
                .body(containsString("<li class=\"scope\">Manage:Pax8Data</li>"))
                .body(containsString("<li class=\"scope\">offline_access</li>"))
                .body(containsString("https://api.pax8.com"))
                .body(containsString("<select id=\"partner\" name=\"partner\""))
                .body(containsString("Acme IT Services"))
                .body(containsString("Globex Managed Services"))
                .body(containsString("Initech Cloud"))
                .body(containsString("id=\"allow\""))
                .body(containsString("id=\"deny\""))
                .body(containsString("action=\"/sandbox/authorize/decision\""))
                .extract().asString();
        // only the opaque id travels in the form, not the original parameters
        assertFalse(html.contains("code_challenge"));
        assertFalse(html.contains("name=\"redirect_uri\""));
        assertNotNull(Sandbox.requestId(html));
    }

    @Test
    void consent_page_lists_partners_registered_at_runtime_and_escapes_their_names() {
        partners.register("evil", "<script>alert(1)</script> & Co");
        authorize(Sandbox.Pkce.create(), "s").when().get("/sandbox/authorize")
                .then().statusCode(200)
                .body(containsString("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"))
                .body(not(containsString("<script>alert(1)")));
    }

    @Test
    void unknown_client_gets_an_error_page_and_no_redirect() {
        given().redirects().follow(false)
                .queryParam("response_type", "code").queryParam("client_id", "nobody")
                .queryParam("redirect_uri", REDIRECT_URI).queryParam("state", "s")
                .when().get("/sandbox/authorize")
                .then().statusCode(400).header("Location", nullValue())
                .contentType(containsString("text/html")).body(containsString("Unknown client"));
    }

    @Test
    void redirect_uri_with_a_trailing_slash_gets_an_error_page_and_no_redirect() {
        given().redirects().follow(false)
                .queryParam("response_type", "code").queryParam("client_id", CLIENT_ID)
                .queryParam("redirect_uri", REDIRECT_URI + "/").queryParam("state", "s")
                .when().get("/sandbox/authorize")
                .then().statusCode(400).header("Location", nullValue()).body(containsString("Invalid redirect_uri"));
    }

    @Test
    void unregistered_or_missing_redirect_uri_gets_an_error_page_and_no_redirect() {
        given().redirects().follow(false)
                .queryParam("response_type", "code").queryParam("client_id", CLIENT_ID)
                .queryParam("redirect_uri", "https://attacker.example/callback")
                .when().get("/sandbox/authorize")
                .then().statusCode(400).header("Location", nullValue());
        given().redirects().follow(false)
                .queryParam("response_type", "code").queryParam("client_id", CLIENT_ID)
                .when().get("/sandbox/authorize")
                .then().statusCode(400).header("Location", nullValue());
    }

    @Test
    void unsupported_response_type_redirects_with_the_error_and_the_state() {
        String location = given().redirects().follow(false)
                .queryParam("response_type", "token").queryParam("client_id", CLIENT_ID)
                .queryParam("redirect_uri", REDIRECT_URI).queryParam("state", "st ate&x=1")
                .when().get("/sandbox/authorize")
                .then().statusCode(302).extract().header("Location");
        assertTrue(location.startsWith(REDIRECT_URI + "?"));
        Map<String, String> q = Sandbox.query(location);
        assertEquals("unsupported_response_type", q.get("error"));
        assertEquals("st ate&x=1", q.get("state"));
        assertNotNull(q.get("error_description"));
    }

    @Test
    void plain_pkce_method_redirects_with_invalid_request() {
        String location = given().redirects().follow(false)
                .queryParam("response_type", "code").queryParam("client_id", CLIENT_ID)
                .queryParam("redirect_uri", REDIRECT_URI).queryParam("state", "xyz")
                .queryParam("code_challenge", Sandbox.Pkce.create().challenge())
                .queryParam("code_challenge_method", "plain")
                .when().get("/sandbox/authorize")
                .then().statusCode(302).extract().header("Location");
        Map<String, String> q = Sandbox.query(location);
        assertEquals("invalid_request", q.get("error"));
        assertEquals("xyz", q.get("state"));
    }

    @Test
    void request_errors_without_state_redirect_without_state() {
        String location = given().redirects().follow(false)
                .queryParam("client_id", CLIENT_ID).queryParam("redirect_uri", REDIRECT_URI)
                .when().get("/sandbox/authorize")
                .then().statusCode(302).extract().header("Location");
        Map<String, String> q = Sandbox.query(location);
        assertEquals("invalid_request", q.get("error"));
        assertFalse(q.containsKey("state"));
    }

    @Test
    void allow_redirects_with_a_code_and_the_state_and_the_code_works() {
        Sandbox.Pkce pkce = Sandbox.Pkce.create();
        String html = authorize(pkce, "state-123/+=").when().get("/sandbox/authorize").then().statusCode(200)
                .extract().asString();
        String location = decide(Sandbox.requestId(html), "globex", "allow")
                .then().statusCode(303).header("Cache-Control", "no-store").extract().header("Location");
        assertTrue(location.startsWith(REDIRECT_URI + "?code="), location);
        Map<String, String> q = Sandbox.query(location);
        assertEquals("state-123/+=", q.get("state"));
        String code = q.get("code");
        assertTrue(code.length() >= 43, "256-bit code");

        String access = Sandbox.tokenJson(Sandbox.codeExchange(code, pkce.verifier())).then().statusCode(200)
                .extract().path("access_token");
        Sandbox.companies(access).then().statusCode(200).body("content[0].name", containsString("Globex"));
    }

    @Test
    void deny_redirects_with_access_denied_and_the_state() {
        String html = authorize(Sandbox.Pkce.create(), "deny-state").when().get("/sandbox/authorize").then()
                .extract().asString();
        String location = decide(Sandbox.requestId(html), "acme", "deny").then().statusCode(303)
                .extract().header("Location");
        Map<String, String> q = Sandbox.query(location);
        assertEquals("access_denied", q.get("error"));
        assertEquals("deny-state", q.get("state"));
        assertNotNull(q.get("error_description"));
        assertFalse(q.containsKey("code"));
    }

    @Test
    void allow_appends_to_a_redirect_uri_that_already_has_a_query() {
        jakarta.ws.rs.core.Response r = Redirects.to(303, "https://client.example.test/cb?tenant=x",
                Map.of("code", "a+b/c"));
        assertEquals("https://client.example.test/cb?tenant=x&code=a%2Bb%2Fc", r.getLocation().toString());
    }

    @Test
    void a_consent_page_can_be_answered_only_once() {
        String html = authorize(Sandbox.Pkce.create(), "once").when().get("/sandbox/authorize").then().extract().asString();
        String id = Sandbox.requestId(html);
        decide(id, "acme", "allow").then().statusCode(303);
        decide(id, "acme", "allow").then().statusCode(400).header("Location", nullValue())
                .body(containsString("Unknown authorization request"));
        decide("made-up-id", "acme", "deny").then().statusCode(400).header("Location", nullValue());
    }

    @Test
    void allow_with_an_unknown_partner_is_refused_and_the_page_stays_usable() {
        String html = authorize(Sandbox.Pkce.create(), "p").when().get("/sandbox/authorize").then().extract().asString();
        String id = Sandbox.requestId(html);
        decide(id, "no-such-partner", "allow").then().statusCode(400).header("Location", nullValue());
        decide(id, "acme", "allow").then().statusCode(303);
    }

    @Test
    void authorize_and_decision_calls_are_counted() {
        long before = counters.calls(SandboxCounters.Endpoint.AUTHORIZE);
        String html = authorize(Sandbox.Pkce.create(), "c").when().get("/sandbox/authorize").then().extract().asString();
        decide(Sandbox.requestId(html), "acme", "allow");
        assertEquals(before + 1, counters.calls(SandboxCounters.Endpoint.AUTHORIZE));
        assertEquals(1, counters.calls(SandboxCounters.Endpoint.DECISION));
        assertEquals(1, counters.codesIssued());
    }
}
