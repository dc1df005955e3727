package dev.oauthgw.tokens;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** The vendor's own client-credentials tokens: obtained once, served many times, renewed before expiry. */
@QuarkusTest
class VendorTokensTest {

    @Inject
    Db db;
    @Inject
    SandboxGrants sandboxGrants;
    @Inject
    SandboxFaults sandboxFaults;
    @Inject
    SandboxCounters sandboxCounters;
    @Inject
    VendorTokenService vendor;
    @Inject
    dev.oauthgw.audit.TokenAccessRecorder recorder;

    @AfterEach
    void clearFaults() {
        sandboxFaults.reset();
    }

    private static String caller() {
        return TestJwt.withRoles("svc-provisioning", VendorTokensResource.ROLE);
    }

    private long clientCredentialsCalls() {
        return sandboxCounters.tokenRequests("client_credentials");
    }

    @Test
    void obtained_once_and_served_many_times_encrypted() {
        db.update("delete from vendor_token where name = 'usage'");
        long before = clientCredentialsCalls();
        String first = given().auth().oauth2(caller()).get("/tokens/vendor/usage").then().statusCode(200)
                .header("Cache-Control", "no-store").body("name", equalTo("usage"))
                .body("token_type", equalTo("Bearer")).body("expires_in", greaterThan(86_000))
                .extract().path("access_token");
        for (int i = 0; i < 5; i++) {
            given().auth().oauth2(caller()).get("/tokens/vendor/usage").then().statusCode(200)
                    .body("access_token", equalTo(first));
        }
        assertEquals(before + 1, clientCredentialsCalls());
        assertEquals("api://usage", sandboxGrants.liveAccessToken(first).orElseThrow().audience());
        String raw = db.one("select vendor_token::text as t from vendor_token where name = 'usage'").get("t").toString();
        assertFalse(raw.contains(first), "stored encrypted");
    }

    @Test
    void each_vendor_token_handed_out_is_audited_once_per_caller_and_token() {
        recorder.flushAll(); // what earlier tests served is written now, not after the delete below
        db.update("delete from vendor_token where name = 'usage'");
        db.update("delete from token_access where kind = 'vendor' and subject = 'usage'");
        String expiresAt = given().auth().oauth2(caller()).header("X-Request-Id", "vendor-first").get("/tokens/vendor/usage")
                .then().statusCode(200).extract().path("expires_at");
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(caller()).get("/tokens/vendor/usage").then().statusCode(200);
        }
        recorder.flushAll();
        var rows = db.query("select caller, served_count, first_request_id, token_expires_at, grant_id from token_access "
                + "where kind = 'vendor' and subject = 'usage'");
        assertEquals(1, rows.size(), rows.toString());
        assertEquals("svc-provisioning", rows.get(0).get("caller"));
        assertEquals(4L, rows.get(0).get("served_count"));
        assertEquals("vendor-first", rows.get(0).get("first_request_id"));
        java.time.Instant stored = ((java.sql.Timestamp) rows.get(0).get("token_expires_at")).toInstant();
        assertTrue(java.time.Duration.between(java.time.Instant.parse(expiresAt), stored).abs().toNanos() <= 1_000,
                "the token's expiry, to the microsecond the database keeps: " + stored + " for " + expiresAt);
        assertEquals(null, rows.get(0).get("grant_id"));
    }

    @Test
    void renewed_before_expiry_by_the_scheduled_check() {
        given().auth().oauth2(caller()).get("/tokens/vendor/provisioning").then().statusCode(200);
        assertFalse(vendor.renewIfDue("provisioning"), "a fresh token is not renewed");
        String old = given().auth().oauth2(caller()).get("/tokens/vendor/provisioning").then().extract().path("access_token");
        // two thirds of its lifetime have passed
        db.update("update vendor_token set obtained_at = ?, expires_at = ? where name = 'provisioning'",
                Timestamp.from(Instant.now().minus(Duration.ofHours(17))), Timestamp.from(Instant.now().plus(Duration.ofHours(7))));
        long before = clientCredentialsCalls();
        assertTrue(vendor.renewIfDue("provisioning"));
        assertEquals(before + 1, clientCredentialsCalls());
        String renewed = given().auth().oauth2(caller()).get("/tokens/vendor/provisioning").then().statusCode(200)
                .body("expires_in", greaterThan(86_000)).extract().path("access_token");
        assertNotEquals(old, renewed);
    }

    @Test
    void a_token_below_the_callers_minimum_is_renewed_inline() {
        given().auth().oauth2(caller()).get("/tokens/vendor/partner-api").then().statusCode(200);
        db.update("update vendor_token set expires_at = ? where name = 'partner-api'",
                Timestamp.from(Instant.now().plus(Duration.ofMinutes(3))));
        long before = clientCredentialsCalls();
        given().auth().oauth2(caller()).get("/tokens/vendor/partner-api").then().statusCode(200)
                .body("expires_in", greaterThan(86_000));
        assertEquals(before + 1, clientCredentialsCalls());
    }

    @Test
    void provider_down_with_no_usable_token_is_503() {
        db.update("update vendor_token set expires_at = ? where name = 'usage'", Timestamp.from(Instant.now().plusSeconds(30)));
        sandboxFaults.failTokenEndpoint(502, 1);
        given().auth().oauth2(caller()).get("/tokens/vendor/usage").then().statusCode(503)
                .contentType("application/problem+json");
    }

    @Test
    void unknown_name_is_404_and_roles_are_separate() {
        given().auth().oauth2(caller()).get("/tokens/vendor/nope").then().statusCode(404);
        given().auth().oauth2(TestJwt.withRoles("svc", TokensResource.ROLE)).get("/tokens/vendor/usage").then()
                .statusCode(403);
        given().get("/tokens/vendor/usage").then().statusCode(401);
        given().auth().oauth2(TestJwt.expired(VendorTokensResource.ROLE)).get("/tokens/vendor/usage").then()
                .statusCode(401);
    }
}
