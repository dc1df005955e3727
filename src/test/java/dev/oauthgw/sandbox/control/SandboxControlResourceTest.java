package dev.oauthgw.sandbox.control;

import static dev.oauthgw.sandbox.Sandbox.API;
import static dev.oauthgw.sandbox.Sandbox.CLIENT_ID;
import static dev.oauthgw.sandbox.Sandbox.CLIENT_SECRET;
import static dev.oauthgw.sandbox.Sandbox.REDIRECT_URI;
import static dev.oauthgw.sandbox.Sandbox.SCOPE;
import static dev.oauthgw.sandbox.Sandbox.refresh;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.Sandbox;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** The HTTP control API, as a test in another process would use it. */
@QuarkusTest
class SandboxControlResourceTest {

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxCounters counters;

    @BeforeEach
    @AfterEach
    void fresh() {
        given().post("/sandbox/control/reset-all").then().statusCode(204);
    }

    private static Response ok() {
        return Sandbox.tokenJson(Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID,
                "client_secret", CLIENT_SECRET, "audience", "api://usage"));
    }

    private static String code(String partner, Sandbox.Pkce pkce) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("client_id", CLIENT_ID, "redirect_uri", REDIRECT_URI, "partner", partner,
                        "scope", SCOPE, "audience", API, "code_challenge", pkce.challenge()))
                .post("/sandbox/control/codes").then().statusCode(201).extract().path("code");
    }

    private static String refreshToken(String partner) {
        Sandbox.Pkce pkce = Sandbox.Pkce.create();
        return Sandbox.tokenJson(Sandbox.codeExchange(code(partner, pkce), pkce.verifier())).then().statusCode(200)
                .extract().path("refresh_token");
    }

    @Test
    void token_failures_can_be_switched_on_and_off() {
        given().queryParam("status", 500).queryParam("times", 1).post("/sandbox/control/token/fail")
                .then().statusCode(204);
        ok().then().statusCode(500);
        ok().then().statusCode(200);
        given().queryParam("status", 504).post("/sandbox/control/token/fail").then().statusCode(204);
        ok().then().statusCode(504);
        ok().then().statusCode(504);
        given().delete("/sandbox/control/token/fail").then().statusCode(204);
        ok().then().statusCode(200);
    }

    @Test
    void rate_limit_and_delay_can_be_switched_on_and_off() {
        given().queryParam("retry_after", 12).post("/sandbox/control/token/rate-limit").then().statusCode(204);
        ok().then().statusCode(429).header("Retry-After", "12");
        given().delete("/sandbox/control/token/rate-limit").then().statusCode(204);

        given().queryParam("delay", "PT0.3S").post("/sandbox/control/token/delay").then().statusCode(204);
        long start = System.nanoTime();
        ok().then().statusCode(200);
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 300);
        given().delete("/sandbox/control/token/delay").then().statusCode(204);
        given().get("/sandbox/control").then().statusCode(200).body("faults.delayMillis", equalTo(0));
    }

    @Test
    void partners_invalid_grant_revocation_and_client_rejection_work_over_http() {
        String acme = refreshToken("acme");
        String globex = refreshToken("globex");
        given().post("/sandbox/control/partners/acme/invalid-grant").then().statusCode(204);
        refresh(acme).then().statusCode(403).body("error", equalTo("invalid_grant"));
        given().delete("/sandbox/control/partners/acme/invalid-grant").then().statusCode(204);
        String acme2 = refresh(acme).then().statusCode(200).extract().path("refresh_token");

        given().post("/sandbox/control/partners/acme/revoke").then().statusCode(200)
                .body("revoked_families", equalTo(1));
        refresh(acme2).then().statusCode(403);
        given().get("/sandbox/control/partners/acme").then().statusCode(200)
                .body("live_families", equalTo(0)).body("refreshes", equalTo(1))
                .body("partner.name", equalTo("Acme IT Services"));

        given().post("/sandbox/control/clients/" + CLIENT_ID + "/reject").then().statusCode(204);
        refresh(globex).then().statusCode(401).body("error", equalTo("invalid_client"));
        given().delete("/sandbox/control/clients/" + CLIENT_ID + "/reject").then().statusCode(204);
        refresh(globex).then().statusCode(200);
    }

    @Test
    void partners_can_be_registered_one_or_many_at_a_time() {
        given().contentType(ContentType.JSON)
                .body(Map.of("key", "solo", "name", "Solo Partner", "pax8_partner_id",
                        "11111111-2222-3333-4444-555555555555", "companies", 7))
                .post("/sandbox/control/partners").then().statusCode(201)
                .body("[0].pax8PartnerId", equalTo("11111111-2222-3333-4444-555555555555"));
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 200; i++) {
            many.append(i == 0 ? "" : ",").append("{\"key\":\"bulk-").append(i).append("\",\"name\":\"Bulk ").append(i)
                    .append("\"}");
        }
        given().contentType(ContentType.JSON).body(many.append("]").toString()).post("/sandbox/control/partners")
                .then().statusCode(201).body("$", hasSize(200));
        given().get("/sandbox/control/partners").then().statusCode(200).body("$", hasSize(204));
        String token = Sandbox.grant(grants, "solo", SCOPE).then().statusCode(200).extract().path("access_token");
        Sandbox.companies(token).then().statusCode(200).body("page.totalElements", equalTo(7));

        given().contentType(ContentType.JSON).body(Map.of("key", "bad key!", "name", "x"))
                .post("/sandbox/control/partners").then().statusCode(400).body("error", notNullValue());
        given().contentType(ContentType.JSON).body("{oops").post("/sandbox/control/partners").then().statusCode(400);
    }

    @Test
    void counters_families_and_clock_are_visible_over_http() {
        String rt = refreshToken("globex");
        String rt2 = refresh(rt).path("refresh_token");
        refresh(rt).then().statusCode(403);
        given().get("/sandbox/control/counters").then().statusCode(200)
                .body("calls.token", equalTo(3))
                .body("token_requests.refresh_token", equalTo(2))
                .body("token_requests.authorization_code", equalTo(1))
                .body("refreshes_by_partner.globex", equalTo(1))
                .body("reuse_detections", equalTo(1)).body("revoked_families", equalTo(1))
                .body("live_families_by_partner.size()", equalTo(0));
        given().contentType(ContentType.JSON).body(Map.of("refresh_token", rt2)).post("/sandbox/control/families/lookup")
                .then().statusCode(200).body("family_id", equalTo(grants.familyOf(rt).orElseThrow()))
                .body("refreshes", equalTo(1));

        String fresh = refreshToken("acme");
        given().queryParam("by", "P31D").post("/sandbox/control/clock/advance").then().statusCode(204);
        refresh(fresh).then().statusCode(403);
        given().queryParam("by", "soon").post("/sandbox/control/clock/advance").then().statusCode(400);

        given().post("/sandbox/control/reset").then().statusCode(204);
        given().get("/sandbox/control").then().statusCode(200).body("counters.calls.token", equalTo(0));
    }

    @Test
    void bad_control_input_answers_400() {
        given().queryParam("status", 200).post("/sandbox/control/token/fail").then().statusCode(400)
                .body("error", notNullValue());
        given().queryParam("times", "many").post("/sandbox/control/token/fail").then().statusCode(400);
        given().queryParam("delay", "5s").post("/sandbox/control/token/delay").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("client_id", "nobody", "redirect_uri", REDIRECT_URI,
                "partner", "acme")).post("/sandbox/control/codes").then().statusCode(400);
        assertEquals(0, counters.codesIssued());
    }

    @Test
    void a_stall_switched_on_over_http_stops_the_token_answer_mid_body_then_closes_it() throws Exception {
        given().post("/sandbox/control/token/stall?silence=PT1S&times=1").then().statusCode(204);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", java.net.URI.create(dev.oauthgw.testing.Urls.publicUrl()).getPort())) {
            s.setSoTimeout(10_000);
            byte[] body = "{\"grant_type\":\"client_credentials\"}".getBytes();
            s.getOutputStream().write(("POST /sandbox/v1/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                    + "application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes());
            s.getOutputStream().write(body);
            long t0 = System.nanoTime();
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.contains("content-length: 1024") || answer.contains("Content-Length: 1024"), answer);
            assertTrue(answer.endsWith("\r\n\r\n{\"access_token\":\"eyJ"), "status, headers, the first bytes only: "
                    + answer);
            assertTrue(ms >= 900 && ms < 5000, "silent for " + ms + " ms, then closed");
        }
        // once only: the next token call is answered as usual
        ok().then().statusCode(200);
    }

    @Test
    void an_odd_answer_switched_on_over_http_comes_once_and_an_unknown_kind_is_refused() {
        given().post("/sandbox/control/token/odd-answer?kind=zero_expires_in").then().statusCode(204);
        ok().then().statusCode(200).body("expires_in", equalTo(0));
        ok().then().statusCode(200).body("expires_in", equalTo(86400));
        given().post("/sandbox/control/token/odd-answer?kind=nonsense").then().statusCode(400);
    }
}
