package dev.oauthgw.sandbox.authserver;

import static dev.oauthgw.sandbox.Sandbox.API;
import static dev.oauthgw.sandbox.Sandbox.BASIC_CLIENT;
import static dev.oauthgw.sandbox.Sandbox.BASIC_SECRET;
import static dev.oauthgw.sandbox.Sandbox.CLIENT_ID;
import static dev.oauthgw.sandbox.Sandbox.CLIENT_SECRET;
import static dev.oauthgw.sandbox.Sandbox.POST_CLIENT;
import static dev.oauthgw.sandbox.Sandbox.POST_SECRET;
import static dev.oauthgw.sandbox.Sandbox.REDIRECT_URI;
import static dev.oauthgw.sandbox.Sandbox.SCOPE;
import static dev.oauthgw.sandbox.Sandbox.assertError;
import static dev.oauthgw.sandbox.Sandbox.codeExchange;
import static dev.oauthgw.sandbox.Sandbox.tokenJson;
import static dev.oauthgw.sandbox.Sandbox.with;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.sandbox.Sandbox;
import dev.oauthgw.sandbox.control.SandboxReset;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
class SandboxTokenEndpointTest {

    static final String EXPIRES_AT = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\+00:00";

    @Inject
    SandboxReset reset;

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxClock clock;

    @Inject
    SandboxCounters counters;

    Sandbox.Pkce pkce;

    @BeforeEach
    void fresh() {
        reset.everything();
        pkce = Sandbox.Pkce.create();
    }

    private String code(String partner, String scope) {
        return grants.issueCode(CLIENT_ID, REDIRECT_URI, partner, scope, API, pkce.challenge());
    }

    static JsonNode claims(String jwt) throws Exception {
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length, "header.payload.signature");
        return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
    }

    // --- authorization_code, JSON dialect --------------------------------------------------------

    @Test
    void code_exchange_answers_every_field_in_the_pax8_format() throws Exception {
        Instant before = Instant.now();
        Response r = tokenJson(codeExchange(code("acme", SCOPE), pkce.verifier()));
        r.then().statusCode(200)
                .header("Cache-Control", "no-store").header("Pragma", "no-cache")
                .body("access_token", notNullValue())
                .body("refresh_token", notNullValue())
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", equalTo(86400))
                .body("expires_at", matchesPattern(EXPIRES_AT))
                .body("scope", equalTo(SCOPE));
        Instant expiresAt = OffsetDateTime.parse(r.path("expires_at")).toInstant();
        assertTrue(!expiresAt.isBefore(before.plusSeconds(86400).minusSeconds(1))
                && !expiresAt.isAfter(Instant.now().plusSeconds(86401)), "expires_at = now + expires_in");

        JsonNode claims = claims(r.path("access_token"));
        assertTrue(claims.get("iss").asText().endsWith("/sandbox/"), claims.get("iss").asText());
        assertEquals("sandbox|acme-admin", claims.get("sub").asText());
        assertEquals(API, claims.get("aud").asText());
        assertEquals(CLIENT_ID, claims.get("azp").asText());
        assertEquals(SCOPE, claims.get("scope").asText());
        assertEquals(86400, claims.get("exp").asLong() - claims.get("iat").asLong());
        assertEquals(Sandbox.ACME_PARTNER_ID, claims.get("https://pax8.com/partner_id").asText());
    }

    @Test
    void a_replayed_code_is_refused_and_the_tokens_of_its_first_use_stop_working() {
        String code = code("acme", SCOPE);
        Response first = tokenJson(codeExchange(code, pkce.verifier()));
        first.then().statusCode(200);
        String access = first.path("access_token");
        String refresh = first.path("refresh_token");
        Sandbox.companies(access).then().statusCode(200);

        assertError(tokenJson(codeExchange(code, pkce.verifier())), 403, "invalid_grant");

        Sandbox.companies(access).then().statusCode(401);
        assertError(Sandbox.refresh(refresh), 403, "invalid_grant");
        assertEquals(1, counters.codeReplays());
        assertEquals(1, counters.revokedFamilies());
    }

    @Test
    void an_expired_code_is_refused() {
        String code = code("acme", SCOPE);
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertError(tokenJson(codeExchange(code, pkce.verifier())), 403, "invalid_grant");
    }

    @Test
    void a_code_just_before_its_expiry_still_works() {
        String code = code("acme", SCOPE);
        clock.advance(Duration.ofSeconds(59));
        tokenJson(codeExchange(code, pkce.verifier())).then().statusCode(200);
    }

    @Test
    void a_wrong_code_verifier_is_refused_and_the_code_stays_usable() {
        String code = code("acme", SCOPE);
        assertError(tokenJson(codeExchange(code, Sandbox.Pkce.create().verifier())), 403, "invalid_grant");
        tokenJson(codeExchange(code, pkce.verifier())).then().statusCode(200);
    }

    @Test
    void a_missing_code_verifier_is_refused_when_a_challenge_was_recorded() {
        assertError(tokenJson(codeExchange(code("acme", SCOPE), null)), 403, "invalid_grant");
    }

    @Test
    void a_code_verifier_without_a_recorded_challenge_is_refused() {
        String code = grants.issueCode(CLIENT_ID, REDIRECT_URI, "acme", SCOPE, API, null);
        assertError(tokenJson(codeExchange(code, pkce.verifier())), 403, "invalid_grant");
        tokenJson(codeExchange(code, null)).then().statusCode(200);
    }

    @Test
    void a_redirect_uri_differing_by_a_trailing_slash_is_refused() {
        String code = code("acme", SCOPE);
        assertError(tokenJson(with(codeExchange(code, pkce.verifier()), "redirect_uri", REDIRECT_URI + "/")),
                403, "invalid_grant");
        // the other registered URI is also wrong: it must be the one of the authorization request
        assertError(tokenJson(with(codeExchange(code, pkce.verifier()), "redirect_uri",
                "http://localhost:8080/onboarding/callback")), 403, "invalid_grant");
    }

    @Test
    void a_missing_redirect_uri_is_an_invalid_request() {
        assertError(tokenJson(with(codeExchange(code("acme", SCOPE), pkce.verifier()), "redirect_uri", null)),
                400, "invalid_request");
    }

    /** Chosen: 403 access_denied, as Auth0 answers an audience it does not serve; the code stays usable. */
    @Test
    void a_wrong_audience_is_access_denied_and_the_code_stays_usable() {
        String code = code("acme", SCOPE);
        assertError(tokenJson(with(codeExchange(code, pkce.verifier()), "audience", "api://provisioning")),
                403, "access_denied");
        tokenJson(codeExchange(code, pkce.verifier())).then().statusCode(200);
    }

    @Test
    void a_missing_audience_is_an_invalid_request_in_the_json_dialect() {
        assertError(tokenJson(with(codeExchange(code("acme", SCOPE), pkce.verifier()), "audience", null)),
                400, "invalid_request");
    }

    @Test
    void a_wrong_client_secret_is_invalid_client_without_a_basic_challenge() {
        Response r = tokenJson(with(codeExchange(code("acme", SCOPE), pkce.verifier()), "client_secret", "nope"));
        assertError(r, 401, "invalid_client");
        r.then().header("WWW-Authenticate", nullValue());
    }

    @Test
    void an_unknown_client_is_invalid_client() {
        assertError(tokenJson(with(codeExchange(code("acme", SCOPE), pkce.verifier()), "client_id", "nobody")),
                401, "invalid_client");
    }

    @Test
    void a_code_issued_to_another_client_is_refused() {
        String code = grants.issueCode(POST_CLIENT, REDIRECT_URI, "acme", SCOPE, API, pkce.challenge());
        assertError(tokenJson(codeExchange(code, pkce.verifier())), 403, "invalid_grant");
    }

    @Test
    void an_unknown_code_is_refused() {
        assertError(tokenJson(codeExchange("not-a-code", pkce.verifier())), 403, "invalid_grant");
    }

    @Test
    void no_offline_access_means_no_refresh_token() {
        tokenJson(codeExchange(code("acme", "Manage:Pax8Data"), pkce.verifier()))
                .then().statusCode(200).body("refresh_token", nullValue()).body("scope", equalTo("Manage:Pax8Data"));
    }

    @Test
    void malformed_requests_get_oauth_errors_never_framework_pages() {
        assertError(given().contentType("application/json").body("{not json").post("/sandbox/v1/token"),
                400, "invalid_request");
        assertError(given().contentType("application/json").body("[1,2]").post("/sandbox/v1/token"),
                400, "invalid_request");
        assertError(given().contentType("application/json").body("{\"grant_type\":{\"x\":1}}").post("/sandbox/v1/token"),
                400, "invalid_request");
        assertError(given().contentType("text/plain").body("grant_type=client_credentials").post("/sandbox/v1/token"),
                400, "invalid_request");
        assertError(tokenJson(Map.of("client_id", CLIENT_ID, "client_secret", CLIENT_SECRET, "audience", API)),
                400, "invalid_request");
        assertError(tokenJson(Map.of("grant_type", "password", "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET,
                "audience", API)), 400, "unsupported_grant_type");
    }

    // --- client_credentials ----------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({ "https://api.pax8.com,Manage:Pax8Data", "api://provisioning,vendorSimulation:provisioning",
            "api://usage,vendorSimulation:usage" })
    void client_credentials_gives_a_token_for_each_audience_and_never_a_refresh_token(String audience, String scope)
            throws Exception {
        Response r = tokenJson(Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID,
                "client_secret", CLIENT_SECRET, "audience", audience));
        r.then().statusCode(200).header("Cache-Control", "no-store")
                .body("refresh_token", nullValue()).body("token_type", equalTo("Bearer"))
                .body("expires_in", equalTo(86400)).body("expires_at", matchesPattern(EXPIRES_AT))
                .body("scope", equalTo(scope));
        JsonNode claims = claims(r.path("access_token"));
        assertEquals(audience, claims.get("aud").asText());
        assertEquals(CLIENT_ID + "@clients", claims.get("sub").asText());
        assertTrue(claims.get("https://pax8.com/partner_id") == null, "not a delegated token");
    }

    @Test
    void client_credentials_requires_a_known_audience() {
        assertError(tokenJson(Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID,
                "client_secret", CLIENT_SECRET)), 400, "invalid_request");
        assertError(tokenJson(Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID,
                "client_secret", CLIENT_SECRET, "audience", "https://elsewhere.example")), 403, "access_denied");
        assertError(formPost(POST_CLIENT, POST_SECRET).formParam("grant_type", "client_credentials")
                .post("/sandbox/v1/token"), 400, "invalid_request");
    }

    @Test
    void a_grant_type_the_client_may_not_use_is_unauthorized_client() {
        assertError(given().auth().preemptive().basic(BASIC_CLIENT, BASIC_SECRET)
                .contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "client_credentials").formParam("audience", "api://usage")
                .post("/sandbox/v1/token"), 403, "unauthorized_client");
    }

    // --- RFC 6749 form dialect -------------------------------------------------------------------

    private static RequestSpecification formPost(String clientId, String secret) {
        return given().contentType("application/x-www-form-urlencoded").formParam("client_id", clientId)
                .formParam("client_secret", secret);
    }

    private static RequestSpecification formBasic(String clientId, String secret) {
        return given().auth().preemptive().basic(clientId, secret).contentType("application/x-www-form-urlencoded");
    }

    private RequestSpecification codeParams(RequestSpecification r, String code) {
        return r.formParam("grant_type", "authorization_code").formParam("code", code)
                .formParam("redirect_uri", REDIRECT_URI).formParam("code_verifier", pkce.verifier());
    }

    @Test
    void form_code_exchange_with_http_basic_works_without_audience() throws Exception {
        String code = grants.issueCode(BASIC_CLIENT, REDIRECT_URI, "globex", SCOPE, API, pkce.challenge());
        Response r = codeParams(formBasic(BASIC_CLIENT, BASIC_SECRET), code).post("/sandbox/v1/token");
        r.then().statusCode(200).body("refresh_token", notNullValue()).body("token_type", equalTo("Bearer"))
                .header("Cache-Control", "no-store");
        assertEquals(API, claims(r.path("access_token")).get("aud").asText());
        // and the refresh, still form-encoded with Basic
        formBasic(BASIC_CLIENT, BASIC_SECRET).formParam("grant_type", "refresh_token")
                .formParam("refresh_token", (String) r.path("refresh_token")).post("/sandbox/v1/token")
                .then().statusCode(200).body("refresh_token", notNullValue());
    }

    @Test
    void form_code_exchange_with_body_credentials_works() {
        String code = grants.issueCode(POST_CLIENT, REDIRECT_URI, "globex", SCOPE, API, pkce.challenge());
        codeParams(formPost(POST_CLIENT, POST_SECRET), code).post("/sandbox/v1/token")
                .then().statusCode(200).body("access_token", notNullValue());
    }

    @Test
    void form_with_a_wrong_audience_is_access_denied() {
        String code = grants.issueCode(POST_CLIENT, REDIRECT_URI, "globex", SCOPE, API, pkce.challenge());
        assertError(codeParams(formPost(POST_CLIENT, POST_SECRET), code).formParam("audience", "api://usage")
                .post("/sandbox/v1/token"), 403, "access_denied");
    }

    @Test
    void basic_and_body_credentials_at_once_are_refused() {
        String code = grants.issueCode(CLIENT_ID, REDIRECT_URI, "acme", SCOPE, API, pkce.challenge());
        assertError(codeParams(formBasic(CLIENT_ID, CLIENT_SECRET), code).formParam("client_secret", CLIENT_SECRET)
                .post("/sandbox/v1/token"), 400, "invalid_request");
    }

    @Test
    void a_client_must_use_its_configured_authentication_method() {
        String code = grants.issueCode(BASIC_CLIENT, REDIRECT_URI, "acme", SCOPE, API, pkce.challenge());
        assertError(codeParams(formPost(BASIC_CLIENT, BASIC_SECRET), code).post("/sandbox/v1/token"),
                401, "invalid_client");
        String code2 = grants.issueCode(POST_CLIENT, REDIRECT_URI, "acme", SCOPE, API, pkce.challenge());
        Response r = codeParams(formBasic(POST_CLIENT, POST_SECRET), code2).post("/sandbox/v1/token");
        assertError(r, 401, "invalid_client");
        r.then().header("WWW-Authenticate", equalTo("Basic realm=\"sandbox\""));
        // the codes were not used up by the refused attempts
        codeParams(formBasic(BASIC_CLIENT, BASIC_SECRET), code).post("/sandbox/v1/token").then().statusCode(200);
        codeParams(formPost(POST_CLIENT, POST_SECRET), code2).post("/sandbox/v1/token").then().statusCode(200);
    }

    @Test
    void a_wrong_basic_secret_is_invalid_client_with_a_basic_challenge() {
        String code = grants.issueCode(BASIC_CLIENT, REDIRECT_URI, "acme", SCOPE, API, pkce.challenge());
        Response r = codeParams(formBasic(BASIC_CLIENT, "wrong"), code).post("/sandbox/v1/token");
        assertError(r, 401, "invalid_client");
        r.then().header("WWW-Authenticate", equalTo("Basic realm=\"sandbox\""));
    }

    @Test
    void the_default_client_may_authenticate_either_way() {
        String c1 = code("acme", SCOPE);
        codeParams(formBasic(CLIENT_ID, CLIENT_SECRET), c1).post("/sandbox/v1/token").then().statusCode(200);
        String c2 = code("acme", SCOPE);
        codeParams(formPost(CLIENT_ID, CLIENT_SECRET), c2).post("/sandbox/v1/token").then().statusCode(200);
    }

    @Test
    void basic_credentials_are_form_urlencoded_before_base64() {
        // RFC 6749 §2.3.1: "rfc-basic" and the secret, each form-urlencoded ("-" stays, so encode a "%2D")
        String header = "Basic " + Base64.getEncoder()
                .encodeToString("rfc%2Dbasic:rfc-basic-sandbox-secret".getBytes(StandardCharsets.UTF_8));
        String code = grants.issueCode(BASIC_CLIENT, REDIRECT_URI, "acme", SCOPE, API, pkce.challenge());
        codeParams(given().header("Authorization", header).contentType("application/x-www-form-urlencoded"), code)
                .post("/sandbox/v1/token").then().statusCode(200);
    }

    @Test
    void a_repeated_form_parameter_is_an_invalid_request() {
        assertError(given().contentType("application/x-www-form-urlencoded")
                .body("grant_type=client_credentials&client_id=rfc-post&client_secret=rfc-post-sandbox-secret"
                        + "&audience=api%3A%2F%2Fusage&audience=api%3A%2F%2Fusage")
                .post("/sandbox/v1/token"), 400, "invalid_request");
    }

    @Test
    void no_client_authentication_at_all_is_invalid_client() {
        assertError(given().contentType("application/x-www-form-urlencoded").formParam("grant_type", "client_credentials")
                .formParam("audience", "api://usage").post("/sandbox/v1/token"), 401, "invalid_client");
    }

    @Test
    void token_requests_are_counted_by_grant_type() {
        tokenJson(codeExchange(code("acme", SCOPE), pkce.verifier()));
        tokenJson(Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET,
                "audience", "api://usage"));
        tokenJson(Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET,
                "audience", "api://usage"));
        assertEquals(3, counters.calls(SandboxCounters.Endpoint.TOKEN));
        assertEquals(1, counters.tokenRequests("authorization_code"));
        assertEquals(2, counters.tokenRequests("client_credentials"));
        assertEquals(0, counters.tokenRequests("refresh_token"));
        assertEquals(3, counters.accessTokensIssued());
    }
}
