package dev.oauthgw.tokens;

import static dev.oauthgw.testing.OnboardingDriver.newPartner;
import static dev.oauthgw.testing.OnboardingDriver.onboard;
import static dev.oauthgw.testing.OnboardingDriver.outcome;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.oauthgw.audit.TokenAccessRecorder;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;

/** GET /tokens/{partnerId}: the contract, every error, and single-flight inline refresh. */
@QuarkusTest
class TokensApiTest {

    @Inject
    Db db;
    @Inject
    SandboxGrants sandboxGrants;
    @Inject
    SandboxPartners sandboxPartners;
    @Inject
    SandboxFaults sandboxFaults;
    @Inject
    SandboxCounters sandboxCounters;
    @Inject
    TokenAccessRecorder recorder;

    @AfterEach
    void clearFaults() {
        sandboxFaults.reset();
    }

    private static String caller() {
        return TestJwt.withRoles("svc-billing", TokensResource.ROLE);
    }

    /** A partner onboarded through the sandbox as a sandbox partner of its own. */
    private String onboarded(String sandboxKey) {
        if (sandboxPartners.find(sandboxKey).isEmpty()) {
            sandboxPartners.register(sandboxKey, "Sandbox " + sandboxKey);
        }
        String partner = newPartner("Tokens " + sandboxKey);
        assertEquals("SUCCESS", outcome(onboard(partner, sandboxKey)));
        return partner;
    }

    private static String key() {
        return "tk-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void expireIn(String partnerId, Duration d) {
        db.update("update partner_grant set access_expires_at = ? where partner_id = ?",
                java.sql.Timestamp.from(Instant.now().plus(d)), partnerId);
    }

    @Test
    void serves_a_valid_token_that_works_for_that_partner_only() {
        String k1 = key();
        String k2 = key();
        String p1 = onboarded(k1);
        String p2 = onboarded(k2);
        Response r = given().auth().oauth2(caller()).get("/tokens/" + p1);
        r.then().statusCode(200).header("Cache-Control", "no-store")
                .body("partner_id", equalTo(p1)).body("token_type", equalTo("Bearer"))
                .body("expires_in", greaterThan(86_000)).body("expires_at", notNullValue())
                .body("scope", equalTo("Manage:Pax8Data offline_access"));
        String token1 = r.path("access_token");
        String token2 = given().auth().oauth2(caller()).get("/tokens/" + p2).then().statusCode(200)
                .extract().path("access_token");
        assertEquals(k1, sandboxGrants.liveAccessToken(token1).orElseThrow().partnerKey());
        List<String> c1 = given().auth().oauth2(token1).get("/sandbox/v1/companies?size=200").then().statusCode(200)
                .extract().path("content.id");
        List<String> c2 = given().auth().oauth2(token2).get("/sandbox/v1/companies?size=200").then().statusCode(200)
                .extract().path("content.id");
        assertTrue(c1.stream().noneMatch(c2::contains), "each token sees only its own partner's companies");
    }

    @Test
    void every_token_handed_out_is_audited_with_the_caller_once_per_token_with_its_count() {
        String p = onboarded(key());
        String requestId = "req-" + UUID.randomUUID();
        String expiresAt = given().auth().oauth2(caller()).header("X-Request-Id", requestId).get("/tokens/" + p).then()
                .statusCode(200).header("X-Request-Id", requestId).extract().path("expires_at");
        for (int i = 0; i < 4; i++) {
            given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(200);
        }
        given().auth().oauth2(TestJwt.withRoles("svc-reports", TokensResource.ROLE)).get("/tokens/" + p).then()
                .statusCode(200);
        recorder.flushAll();
        var rows = db.query("select caller, kind, served_count, first_request_id, token_expires_at, grant_id "
                + "from token_access where subject = ? order by caller", p);
        assertEquals(2, rows.size(), "one row per caller of the one token: " + rows);
        var row = rows.get(0);
        assertEquals("svc-billing", row.get("caller"));
        assertEquals("partner", row.get("kind"));
        assertEquals(5L, row.get("served_count"));
        assertEquals(requestId, row.get("first_request_id"));
        assertEquals(Instant.parse(expiresAt), ((java.sql.Timestamp) row.get("token_expires_at")).toInstant());
        assertEquals(db.one("select id from partner_grant where partner_id = ?", p).get("id"), row.get("grant_id"));
        assertEquals("svc-reports", rows.get(1).get("caller"));
        assertEquals(1L, rows.get(1).get("served_count"));
        assertEquals(0, db.count("select count(*) from audit_event where partner_id = ? and action = 'TOKEN_SERVED'", p),
                "no row per request any more");
    }

    @Test
    void a_token_inside_the_margin_is_refreshed_inline() {
        String k = key();
        String p = onboarded(k);
        String before = given().auth().oauth2(caller()).get("/tokens/" + p).then().extract().path("access_token");
        expireIn(p, Duration.ofMinutes(2));
        long refreshes = sandboxCounters.refreshesForPartner(k);
        String after = given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(200)
                .body("expires_in", greaterThan(86_000)).extract().path("access_token");
        assertNotEquals(before, after);
        assertEquals(refreshes + 1, sandboxCounters.refreshesForPartner(k));
        // and the next call is served from the database without calling the provider
        given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(200).body("access_token", equalTo(after));
        assertEquals(refreshes + 1, sandboxCounters.refreshesForPartner(k));
    }

    @Test
    void a_caller_may_ask_for_more_validity_within_the_cap() {
        String k = key();
        String p = onboarded(k);
        expireIn(p, Duration.ofMinutes(20));
        long refreshes = sandboxCounters.refreshesForPartner(k);
        given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(200); // 20 min >= 5 min default
        assertEquals(refreshes, sandboxCounters.refreshesForPartner(k));
        given().auth().oauth2(caller()).queryParam("min_valid", "PT30M").get("/tokens/" + p).then().statusCode(200)
                .body("expires_in", greaterThan(86_000));
        assertEquals(refreshes + 1, sandboxCounters.refreshesForPartner(k));
        given().auth().oauth2(caller()).queryParam("min_valid", "P2D").get("/tokens/" + p).then().statusCode(400)
                .contentType("application/problem+json");
        given().auth().oauth2(caller()).queryParam("min_valid", "ten minutes").get("/tokens/" + p).then()
                .statusCode(400);
    }

    @Test
    void provider_down_and_no_token_meets_the_minimum_is_503_with_retry_after() {
        String k = key();
        String p = onboarded(k);
        expireIn(p, Duration.ofMinutes(2));
        sandboxFaults.failTokenEndpoint(503, SandboxFaults.UNTIL_CLEARED);
        given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", notNullValue())
                .body("stored_token_expires_at", notNullValue());
        // documented: a caller that can live with less may ask for less and gets the stored token
        given().auth().oauth2(caller()).queryParam("min_valid", "PT1M").get("/tokens/" + p).then().statusCode(200)
                .body("expires_in", org.hamcrest.Matchers.lessThan(200));
        assertEquals("REFRESH_FAILING", db.one("select state from partner_grant where partner_id = ?", p).get("state"));
        // while the grant backs off, callers get 503 at once without another provider call
        long calls = sandboxCounters.refreshesForPartner(k) + sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN);
        given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(503).header("Retry-After", notNullValue());
        assertEquals(calls, sandboxCounters.refreshesForPartner(k) + sandboxCounters.calls(SandboxCounters.Endpoint.TOKEN));
        // the provider is back and the backoff is over: served fresh, grant ACTIVE again
        sandboxFaults.reset();
        db.update("update partner_grant set refresh_due_at = now() where partner_id = ?", p);
        given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(200).body("expires_in", greaterThan(86_000));
        assertEquals("ACTIVE", db.one("select state from partner_grant where partner_id = ?", p).get("state"));
    }

    @Test
    void rate_limited_provider_passes_its_retry_after_on() {
        String p = onboarded(key());
        expireIn(p, Duration.ofMinutes(1));
        sandboxFaults.rateLimitTokenEndpoint(77, 1);
        given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(503).header("Retry-After", "77");
    }

    @Test
    void a_dead_grant_is_409_and_says_since_when() {
        String k = key();
        String p = onboarded(k);
        expireIn(p, Duration.ofMinutes(1));
        sandboxFaults.invalidGrantForPartner(k);
        given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(409)
                .contentType("application/problem+json").body("grant_state", equalTo("REAUTH_REQUIRED"))
                .body("state_since", notNullValue()).body("type", endsWith("/reauthorization-required"));
        long calls = sandboxCounters.refreshesForPartner(k);
        given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(409);
        assertEquals(calls, sandboxCounters.refreshesForPartner(k), "no further provider calls for a dead grant");
    }

    @Test
    void unknown_partner_and_partner_without_grant_are_404() {
        given().auth().oauth2(caller()).get("/tokens/nobody-" + UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json");
        String p = newPartner("Not Connected");
        given().auth().oauth2(caller()).get("/tokens/" + p).then().statusCode(404)
                .body("detail", org.hamcrest.Matchers.containsString("not connected"));
    }

    @Test
    void one_hundred_concurrent_callers_share_one_refresh() throws Exception {
        String k = key();
        String p = onboarded(k);
        String old = given().auth().oauth2(caller()).get("/tokens/" + p).then().extract().path("access_token");
        expireIn(p, Duration.ofMinutes(2));
        long refreshes = sandboxCounters.refreshesForPartner(k);
        long reuse = sandboxCounters.reuseDetections();
        String jwt = caller();
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(() -> given().auth().oauth2(jwt).get("/tokens/" + p));
            }
            Set<String> tokens = new java.util.HashSet<>();
            for (Future<Response> f : pool.invokeAll(calls)) {
                Response r = f.get();
                assertEquals(200, r.statusCode(), r::asString);
                tokens.add(r.path("access_token"));
            }
            assertEquals(1, tokens.size(), "every caller got the same, new token");
            assertNotEquals(old, tokens.iterator().next());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(refreshes + 1, sandboxCounters.refreshesForPartner(k), "exactly one refresh");
        assertEquals(reuse, sandboxCounters.reuseDetections(), "no refresh token reused");
    }

    // --- the caller's JWT ---

    static List<String> badJwts() {
        return List.of(TestJwt.expired(TokensResource.ROLE), TestJwt.tamperedWithRole(TokensResource.ROLE),
                TestJwt.wrongIssuer(TokensResource.ROLE), TestJwt.wrongAudience(TokensResource.ROLE), algNone(),
                hs256WithPublicKey(), "garbage");
    }

    @Test
    void the_caller_check_answers_204_for_a_valid_caller_only() {
        given().auth().oauth2(caller()).get("/caller").then().statusCode(204);
        given().get("/caller").then().statusCode(401);
        given().auth().oauth2(TestJwt.ops()).get("/caller").then().statusCode(403);
    }

    @Test
    void missing_jwt_is_401() {
        given().get("/tokens/anyone").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"));
    }

    @ParameterizedTest
    @MethodSource("badJwts")
    void invalid_jwts_are_401(String jwt) {
        String p = onboarded(key());
        given().auth().oauth2(jwt).get("/tokens/" + p).then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void missing_role_is_403() {
        String p = onboarded(key());
        given().auth().oauth2(TestJwt.ops()).get("/tokens/" + p).then().statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void partner_outside_the_allow_list_is_403_and_inside_is_200() {
        String p = onboarded(key());
        String restricted = Jwt.issuer(TestJwt.ISSUER).audience(TestJwt.AUDIENCE).upn("svc-narrow")
                .groups(Set.of(TokensResource.ROLE)).claim("partners", List.of("someone-else")).expiresIn(300).sign();
        given().auth().oauth2(restricted).get("/tokens/" + p).then().statusCode(403);
        String allowed = Jwt.issuer(TestJwt.ISSUER).audience(TestJwt.AUDIENCE).upn("svc-narrow")
                .groups(Set.of(TokensResource.ROLE)).claim("partners", List.of("someone-else", p)).expiresIn(300).sign();
        given().auth().oauth2(allowed).get("/tokens/" + p).then().statusCode(200);
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String claims() {
        long now = Instant.now().getEpochSecond();
        return "{\"iss\":\"" + TestJwt.ISSUER + "\",\"aud\":\"" + TestJwt.AUDIENCE + "\",\"upn\":\"mallory\","
                + "\"groups\":[\"" + TokensResource.ROLE + "\"],\"iat\":" + now + ",\"exp\":" + (now + 300) + "}";
    }

    static String algNone() {
        return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims()) + ".";
    }

    /** The classic key-confusion attack: HS256 with the server's public key as the HMAC secret. */
    static String hs256WithPublicKey() {
        try {
            // the very key the gateway verifies with (smallrye-jwt's generated test key pair)
            String publicKey = ConfigProvider.getConfig().getValue("mp.jwt.verify.publickey", String.class);
            String signingInput = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64(claims());
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(publicKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
