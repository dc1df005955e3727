package dev.oauthgw.sandbox.faults;

import static dev.oauthgw.sandbox.Sandbox.CLIENT_ID;
import static dev.oauthgw.sandbox.Sandbox.CLIENT_SECRET;
import static dev.oauthgw.sandbox.Sandbox.POST_CLIENT;
import static dev.oauthgw.sandbox.Sandbox.POST_SECRET;
import static dev.oauthgw.sandbox.Sandbox.REDIRECT_URI;
import static dev.oauthgw.sandbox.Sandbox.SCOPE;
import static dev.oauthgw.sandbox.Sandbox.refresh;
import static dev.oauthgw.sandbox.Sandbox.assertError;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.Sandbox;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.control.SandboxReset;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Every fault switch and counter, used through the beans. */
@QuarkusTest
class SandboxFaultsTest {

    @Inject
    SandboxReset reset;

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxCounters counters;

    @Inject
    SandboxFaults faults;

    @BeforeEach
    @AfterEach
    void fresh() {
        reset.everything();
    }

    private static Response clientCredentials(String clientId, String secret) {
        return Sandbox.tokenJson(Map.of("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", secret, "audience", "api://usage"));
    }

    private static Response ok() {
        return clientCredentials(CLIENT_ID, CLIENT_SECRET);
    }

    private String refreshToken(String partner) {
        return Sandbox.grant(grants, partner, SCOPE).then().statusCode(200).extract().path("refresh_token");
    }

    @Test
    void server_errors_for_the_next_n_calls_then_normal_answers() {
        faults.failTokenEndpoint(502, 2);
        assertError(ok(), 502, "server_error");
        assertError(ok(), 502, "server_error");
        ok().then().statusCode(200);
    }

    @Test
    void server_errors_until_cleared() {
        faults.failTokenEndpoint(503, SandboxFaults.UNTIL_CLEARED);
        for (int i = 0; i < 3; i++) {
            assertError(ok(), 503, "server_error");
        }
        faults.clearTokenEndpointFailures();
        ok().then().statusCode(200);
        assertEquals(4, counters.calls(SandboxCounters.Endpoint.TOKEN));
    }

    @Test
    void a_server_error_does_not_use_up_the_refresh_token() {
        String rt = refreshToken("acme");
        faults.failTokenEndpoint(500, 1);
        assertError(refresh(rt), 500, "server_error");
        refresh(rt).then().statusCode(200);
        assertEquals(0, counters.reuseDetections());
    }

    @Test
    void rate_limit_answers_429_with_retry_after() {
        faults.rateLimitTokenEndpoint(7, 1);
        Response r = ok();
        assertError(r, 429, "too_many_requests");
        r.then().header("Retry-After", "7");
        ok().then().statusCode(200);

        faults.rateLimitTokenEndpoint(1, SandboxFaults.UNTIL_CLEARED);
        ok().then().statusCode(429).header("Retry-After", "1");
        ok().then().statusCode(429);
        faults.clearRateLimit();
        ok().then().statusCode(200);
    }

    @Test
    void a_slow_token_endpoint_takes_at_least_the_delay_and_does_not_serialize_callers() {
        Duration delay = Duration.ofMillis(400);
        faults.slowTokenEndpoint(delay);
        long start = System.nanoTime();
        ok().then().statusCode(200);
        long single = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(single >= delay.toMillis(), "took " + single + " ms");

        // four slow calls at once: the delay is slept outside the lock, so they overlap
        start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> ok().statusCode(), pool));
            }
            calls.forEach(c -> assertEquals(200, c.join()));
        } finally {
            pool.shutdownNow();
        }
        long parallel = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(parallel < 4 * delay.toMillis() - 200, "4 calls took " + parallel + " ms");

        faults.slowTokenEndpoint(Duration.ZERO);
        start = System.nanoTime();
        ok().then().statusCode(200);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < delay.toMillis());
    }

    @Test
    void invalid_grant_for_one_partner_while_another_partner_refreshes_fine() {
        String acme = refreshToken("acme");
        String globex = refreshToken("globex");
        faults.invalidGrantForPartner("acme");
        assertError(refresh(acme), 403, "invalid_grant");
        String globex2 = refresh(globex).then().statusCode(200).extract().path("refresh_token");
        refresh(globex2).then().statusCode(200);
        faults.clearInvalidGrantForPartner("acme");
        // the switch only answered: it did not use up or revoke anything
        refresh(acme).then().statusCode(200);
        assertEquals(1, counters.refreshesForPartner("acme"));
        assertEquals(2, counters.refreshesForPartner("globex"));
    }

    @Test
    void a_rejected_client_gets_invalid_client_until_cleared() {
        faults.rejectClient(CLIENT_ID);
        assertError(ok(), 401, "invalid_client");
        clientCredentials(POST_CLIENT, POST_SECRET).then().statusCode(200);
        faults.clearRejectedClient(CLIENT_ID);
        ok().then().statusCode(200);
    }

    @Test
    void switches_refuse_nonsense() {
        assertThrows(IllegalArgumentException.class, () -> faults.failTokenEndpoint(404, 1));
        assertThrows(IllegalArgumentException.class, () -> faults.failTokenEndpoint(500, 0));
        assertThrows(IllegalArgumentException.class, () -> faults.rateLimitTokenEndpoint(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> faults.slowTokenEndpoint(Duration.ofMinutes(10)));
    }

    @Test
    void every_counter_counts() {
        String html = given().queryParam("response_type", "code").queryParam("client_id", CLIENT_ID)
                .queryParam("redirect_uri", REDIRECT_URI).get("/sandbox/authorize").then().statusCode(200)
                .extract().asString();
        assertTrue(html.contains("request_id"));
        String rt1 = refreshToken("acme");
        String family = grants.familyOf(rt1).orElseThrow();
        String rt2 = refresh(rt1).path("refresh_token");
        refresh(rt1); // reuse: revokes the family
        refreshToken("globex");
        ok();
        given().contentType("application/x-www-form-urlencoded").formParam("client_id", CLIENT_ID)
                .formParam("client_secret", CLIENT_SECRET).formParam("token", rt2).post("/sandbox/oauth/revoke");
        Sandbox.companies("nothing");

        SandboxCounters c = counters;
        assertEquals(1, c.calls(SandboxCounters.Endpoint.AUTHORIZE));
        assertEquals(5, c.calls(SandboxCounters.Endpoint.TOKEN));
        assertEquals(1, c.calls(SandboxCounters.Endpoint.REVOKE));
        assertEquals(1, c.calls(SandboxCounters.Endpoint.COMPANIES));
        assertEquals(2, c.tokenRequests("authorization_code"));
        assertEquals(2, c.tokenRequests("refresh_token"));
        assertEquals(1, c.tokenRequests("client_credentials"));
        assertEquals(1, c.refreshes(family));
        assertEquals(1, c.refreshesForPartner("acme"));
        assertEquals(0, c.refreshesForPartner("globex"));
        assertEquals(1, c.rotations());
        assertEquals(1, c.reuseDetections());
        assertEquals(1, c.revokedFamilies()); // the revocation hit an already revoked family
        assertEquals(0, grants.liveFamilies("acme"));
        assertEquals(1, grants.liveFamilies("globex"));
        assertEquals(2, c.codesIssued());
        Map<String, Object> snapshot = c.snapshot();
        assertEquals(1L, snapshot.get("reuse_detections"));
    }
}
