package dev.oauthgw.sandbox.authserver;

import static dev.oauthgw.sandbox.Sandbox.API;
import static dev.oauthgw.sandbox.Sandbox.CLIENT_ID;
import static dev.oauthgw.sandbox.Sandbox.CLIENT_SECRET;
import static dev.oauthgw.sandbox.Sandbox.POST_CLIENT;
import static dev.oauthgw.sandbox.Sandbox.POST_SECRET;
import static dev.oauthgw.sandbox.Sandbox.SCOPE;
import static dev.oauthgw.sandbox.Sandbox.refresh;
import static dev.oauthgw.sandbox.Sandbox.refreshBody;
import static dev.oauthgw.sandbox.Sandbox.tokenJson;
import static dev.oauthgw.sandbox.Sandbox.with;
import static dev.oauthgw.sandbox.Sandbox.assertError;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.Sandbox;
import dev.oauthgw.sandbox.control.SandboxReset;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class SandboxRefreshTest {

    @Inject
    SandboxReset reset;

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxClock clock;

    @Inject
    SandboxTokenPolicy tokenPolicy;

    @Inject
    SandboxCounters counters;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeEach
    void fresh() {
        reset.everything();
    }

    private Response grant(String partner) {
        Response r = Sandbox.grant(grants, partner, SCOPE);
        r.then().statusCode(200);
        return r;
    }

    @Test
    void a_refresh_rotates_the_refresh_token_and_issues_a_working_access_token() {
        Response g = grant("acme");
        String rt1 = g.path("refresh_token");
        Response r = refresh(rt1);
        r.then().statusCode(200).header("Cache-Control", "no-store")
                .body("refresh_token", notNullValue()).body("access_token", notNullValue())
                .body("token_type", equalTo("Bearer")).body("expires_in", equalTo(86400)).body("scope", equalTo(SCOPE));
        String rt2 = r.path("refresh_token");
        assertNotEquals(rt1, rt2);
        assertNotEquals((String) g.path("access_token"), (String) r.path("access_token"));
        Sandbox.companies(r.path("access_token")).then().statusCode(200);
        // the first access token of the family is still live: rotation is not revocation
        Sandbox.companies(g.path("access_token")).then().statusCode(200);
        refresh(rt2).then().statusCode(200);

        String family = grants.familyOf(rt1).orElseThrow();
        assertEquals(family, grants.familyOf(rt2).orElseThrow());
        assertEquals(2, counters.refreshes(family));
        assertEquals(2, counters.refreshesForPartner("acme"));
        assertEquals(2, counters.rotations());
        assertEquals(2, counters.tokenRequests("refresh_token"));
        assertEquals(1, grants.liveFamilies("acme"));
    }

    @Test
    void reusing_a_rotated_refresh_token_revokes_the_whole_family() {
        Response g = grant("acme");
        String rt1 = g.path("refresh_token");
        Response r2 = refresh(rt1);
        String rt2 = r2.path("refresh_token");
        Response r3 = refresh(rt2);
        String rt3 = r3.path("refresh_token");

        Response reuse = refresh(rt1);
        reuse.then().statusCode(403).body("error", equalTo("invalid_grant"))
                .body("error_description", equalTo("Unknown or invalid refresh token."));

        // even the newest refresh token is dead now, and every access token of the family
        assertError(refresh(rt3), 403, "invalid_grant");
        Sandbox.companies(g.path("access_token")).then().statusCode(401);
        Sandbox.companies(r2.path("access_token")).then().statusCode(401);
        Sandbox.companies(r3.path("access_token")).then().statusCode(401);
        assertEquals(1, counters.reuseDetections());
        assertEquals(1, counters.revokedFamilies());
        assertEquals(0, grants.liveFamilies("acme"));
    }

    @Test
    void reuse_detection_leaves_other_families_of_the_same_partner_alone() {
        String a = grant("acme").path("refresh_token");
        String b = grant("acme").path("refresh_token");
        refresh(a).then().statusCode(200);
        refresh(a).then().statusCode(403);
        refresh(b).then().statusCode(200);
        assertEquals(1, grants.liveFamilies("acme"));
    }

    @Test
    void within_the_reuse_interval_a_rotated_token_may_be_presented_again() {
        tokenPolicy.overrideReuseInterval(Duration.ofSeconds(10));
        String rt1 = grant("acme").path("refresh_token");
        String rt2 = refresh(rt1).path("refresh_token");
        clock.advance(Duration.ofSeconds(5));
        refresh(rt1).then().statusCode(200).body("refresh_token", notNullValue());
        assertEquals(1, counters.reusesWithinInterval());
        assertEquals(0, counters.reuseDetections());
        clock.advance(Duration.ofSeconds(6));
        assertError(refresh(rt1), 403, "invalid_grant");
        assertEquals(1, counters.reuseDetections());
        assertError(refresh(rt2), 403, "invalid_grant");
    }

    @Test
    void a_family_expires_after_the_refresh_token_lifetime() {
        String rt1 = grant("acme").path("refresh_token");
        clock.advance(Duration.ofDays(29));
        String rt2 = refresh(rt1).path("refresh_token");
        clock.advance(Duration.ofDays(1).plusSeconds(1));
        assertError(refresh(rt2), 403, "invalid_grant");
        assertEquals(0, grants.liveFamilies("acme"));
    }

    @Test
    void an_access_token_expires_after_the_token_lifetime() {
        String access = grant("acme").path("access_token");
        clock.advance(Duration.ofHours(24).minusSeconds(1));
        Sandbox.companies(access).then().statusCode(200);
        clock.advance(Duration.ofSeconds(1));
        Sandbox.companies(access).then().statusCode(401);
    }

    @Test
    void a_refresh_for_another_audience_is_access_denied_and_the_token_stays_usable() {
        String rt = grant("acme").path("refresh_token");
        assertError(tokenJson(with(refreshBody(rt), "audience", "api://usage")), 403, "access_denied");
        refresh(rt).then().statusCode(200);
    }

    @Test
    void a_refresh_without_audience_is_an_invalid_request_in_the_json_dialect() {
        String rt = grant("acme").path("refresh_token");
        assertError(tokenJson(with(refreshBody(rt), "audience", null)), 400, "invalid_request");
        refresh(rt).then().statusCode(200);
    }

    @Test
    void a_refresh_may_narrow_the_scope_but_not_widen_it() {
        String rt = grant("acme").path("refresh_token");
        assertError(tokenJson(with(refreshBody(rt), "scope", "Manage:Pax8Data Admin:Everything")), 400, "invalid_scope");
        refresh(rt).then().statusCode(200);
        String rt2 = grant("acme").path("refresh_token");
        tokenJson(with(refreshBody(rt2), "scope", "Manage:Pax8Data")).then().statusCode(200)
                .body("scope", equalTo("Manage:Pax8Data"));
    }

    @Test
    void another_client_cannot_use_the_refresh_token() {
        String rt = grant("acme").path("refresh_token");
        assertError(given().contentType("application/x-www-form-urlencoded").formParam("grant_type", "refresh_token")
                .formParam("client_id", POST_CLIENT).formParam("client_secret", POST_SECRET)
                .formParam("refresh_token", rt).post("/sandbox/v1/token"), 403, "invalid_grant");
        refresh(rt).then().statusCode(200);
    }

    @Test
    void an_unknown_refresh_token_is_invalid_grant_and_a_missing_one_invalid_request() {
        assertError(refresh("made-up"), 403, "invalid_grant");
        assertError(tokenJson(with(refreshBody("x"), "refresh_token", null)), 400, "invalid_request");
    }

    @Test
    void one_hundred_concurrent_refreshes_rotate_exactly_once() throws Exception {
        String rt = grant("acme").path("refresh_token");
        String body = "{\"grant_type\":\"refresh_token\",\"client_id\":\"" + CLIENT_ID + "\",\"client_secret\":\""
                + CLIENT_SECRET + "\",\"audience\":\"" + API + "\",\"refresh_token\":\"" + rt + "\"}";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/sandbox/v1/token"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        int n = 100;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                }));
            }
            go.countDown();
            int ok = 0;
            int refused = 0;
            for (Future<Integer> f : results) {
                int status = f.get();
                if (status == 200) {
                    ok++;
                } else if (status == 403) {
                    refused++;
                }
            }
            assertEquals(1, ok, "exactly one refresh succeeds");
            assertEquals(n - 1, refused);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, counters.rotations());
        assertEquals(n - 1, counters.reuseDetections());
        assertEquals(1, counters.revokedFamilies());
        assertEquals(n, counters.tokenRequests("refresh_token"));
        assertTrue(grants.liveFamilies("acme") == 0, "the reuse revoked the family");
    }

    // --- revocation (RFC 7009) ---------------------------------------------------------------------

    private static Response revoke(String token) {
        return given().contentType("application/x-www-form-urlencoded").formParam("client_id", CLIENT_ID)
                .formParam("client_secret", CLIENT_SECRET).formParam("token", token).post("/sandbox/oauth/revoke");
    }

    @Test
    void revoking_a_refresh_token_revokes_its_family() {
        Response g = grant("acme");
        String rt2 = refresh(g.path("refresh_token")).path("refresh_token");
        revoke(rt2).then().statusCode(200).header("Cache-Control", "no-store");
        assertError(refresh(rt2), 403, "invalid_grant");
        Sandbox.companies(g.path("access_token")).then().statusCode(401);
        assertEquals(1, counters.revokedFamilies());
        assertEquals(1, counters.calls(SandboxCounters.Endpoint.REVOKE));
    }

    @Test
    void revoking_an_access_token_revokes_only_that_token() {
        Response g = grant("acme");
        given().contentType("application/x-www-form-urlencoded").formParam("client_id", CLIENT_ID)
                .formParam("client_secret", CLIENT_SECRET).formParam("token", (String) g.path("access_token"))
                .formParam("token_type_hint", "access_token").post("/sandbox/oauth/revoke").then().statusCode(200);
        Sandbox.companies(g.path("access_token")).then().statusCode(401);
        Response r = refresh(g.path("refresh_token"));
        r.then().statusCode(200);
        Sandbox.companies(r.path("access_token")).then().statusCode(200);
    }

    @Test
    void revoking_an_unknown_token_answers_200() {
        revoke("never-issued").then().statusCode(200);
    }

    @Test
    void revoking_another_clients_token_answers_200_and_changes_nothing() {
        Response g = grant("acme");
        given().contentType("application/x-www-form-urlencoded").formParam("client_id", POST_CLIENT)
                .formParam("client_secret", POST_SECRET).formParam("token", (String) g.path("refresh_token"))
                .post("/sandbox/oauth/revoke").then().statusCode(200);
        refresh(g.path("refresh_token")).then().statusCode(200);
    }

    @Test
    void revocation_requires_client_authentication_and_a_token() {
        assertError(given().contentType("application/x-www-form-urlencoded").formParam("token", "x")
                .post("/sandbox/oauth/revoke"), 401, "invalid_client");
        assertError(given().contentType("application/x-www-form-urlencoded").formParam("client_id", CLIENT_ID)
                .formParam("client_secret", CLIENT_SECRET).post("/sandbox/oauth/revoke"), 400, "invalid_request");
    }
}
