package dev.oauthgw.ops.admin;

import static dev.oauthgw.testing.OpsTestSupport.key;
import static dev.oauthgw.testing.OpsTestSupport.onboarded;
import static dev.oauthgw.testing.OnboardingDriver.callback;
import static dev.oauthgw.testing.OnboardingDriver.connect;
import static dev.oauthgw.testing.OnboardingDriver.consent;
import static dev.oauthgw.testing.OnboardingDriver.outcome;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.oauthgw.events.WebhookSender;
import dev.oauthgw.sandbox.webhooks.SandboxWebhookReceiver;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.OnboardingDriver;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.tokens.TokensResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

/** The admin API's grant actions (force refresh, re-authorization link, disconnect) and their auth cases. */
@QuarkusTest
class AdminGrantActionsApiTest {

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
    WebhookSender sender;
    @Inject
    SandboxWebhookReceiver receiver;

    @AfterEach
    void clearFaults() {
        sandboxFaults.reset();
    }

    private static RequestSpecification ops() {
        return given().auth().oauth2(TestJwt.withRoles("olivia@vendor.test", "ops")).contentType(ContentType.JSON);
    }

    @Test
    void force_refresh_calls_the_provider_once_and_is_audited_with_the_operator() {
        String k = key();
        String p = onboarded(sandboxPartners, k, "Refresh Me Ltd");
        Object before = db.one("select access_expires_at, version from partner_grant where partner_id = ?", p)
                .get("version");
        long refreshes = sandboxCounters.refreshesForPartner(k);
        ops().post("/admin/partners/" + p + "/grant/refresh").then().statusCode(200)
                .body("partner_id", equalTo(p)).body("refreshed", equalTo(true)).body("outcome", equalTo("OK"))
                .body("state", equalTo("ACTIVE")).body("access_expires_at", notNullValue())
                .body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("access_token")));
        assertEquals(refreshes + 1, sandboxCounters.refreshesForPartner(k));
        assertNotEquals(before, db.one("select version from partner_grant where partner_id = ?", p).get("version"));
        Map<String, Object> audit = db.one("select actor, detail->>'outcome' as outcome from audit_event "
                + "where partner_id = ? and action = 'GRANT_REFRESH_FORCED'", p);
        assertEquals("olivia@vendor.test", audit.get("actor"));
        assertEquals("OK", audit.get("outcome"));
        assertEquals("OK", db.one("select last_refresh_outcome from partner_grant where partner_id = ?", p)
                .get("last_refresh_outcome"));
    }

    @Test
    void force_refresh_reports_a_provider_failure_as_its_outcome() {
        String k = key();
        String p = onboarded(sandboxPartners, k, "Failing Refresh Ltd");
        sandboxFaults.failTokenEndpoint(503, 1);
        ops().post("/admin/partners/" + p + "/grant/refresh").then().statusCode(200)
                .body("refreshed", equalTo(false)).body("outcome", equalTo("TRANSIENT"))
                .body("state", equalTo("REFRESH_FAILING")).body("error", containsString("503"));
        assertTrue(db.one("select detail::text as d from audit_event where partner_id = ? "
                + "and action = 'GRANT_REFRESH_FORCED'", p).get("d").toString().contains("TRANSIENT"));
    }

    @Test
    void force_refresh_of_a_dead_grant_is_409_without_calling_the_provider() {
        String k = key();
        String p = onboarded(sandboxPartners, k, "Dead Grant Ltd");
        db.update("update partner_grant set state = 'REAUTH_REQUIRED' where partner_id = ?", p);
        long refreshes = sandboxCounters.refreshesForPartner(k);
        ops().post("/admin/partners/" + p + "/grant/refresh").then().statusCode(409)
                .contentType("application/problem+json").body("grant_state", equalTo("REAUTH_REQUIRED"))
                .body("type", startsWith("https://gateway.example/problems/grant-not-refreshable"));
        assertEquals(refreshes, sandboxCounters.refreshesForPartner(k));
    }

    @Test
    void actions_on_unknown_partners_or_partners_without_grant_are_404() {
        for (String path : List.of("grant/refresh", "grant/disconnect", "reauthorization-links")) {
            ops().post("/admin/partners/nobody-" + key() + "/" + path).then().statusCode(404)
                    .contentType("application/problem+json");
        }
        String fresh = OnboardingDriver.newPartner("Never Connected Ltd");
        ops().post("/admin/partners/" + fresh + "/reauthorization-links").then().statusCode(404)
                .body("detail", containsString("onboarding link"));
        ops().post("/admin/partners/" + fresh + "/grant/refresh").then().statusCode(404);
    }

    @Test
    void a_reauthorization_link_brings_a_dead_grant_back_to_active() {
        String k = key();
        String p = onboarded(sandboxPartners, k, "Reauth Me Ltd");
        db.update("update partner_grant set state = 'REAUTH_REQUIRED', refresh_due_at = null where partner_id = ?", p);
        String url = ops().body("{\"valid_for\":\"PT2H\"}").post("/admin/partners/" + p + "/reauthorization-links")
                .then().statusCode(201).body("purpose", equalTo("REAUTH")).body("partner_id", equalTo(p))
                .body("url", containsString("/onboarding/")).body("expires_at", notNullValue())
                .extract().path("url");
        assertEquals("REAUTH", db.one("select purpose from onboarding_link where partner_id = ? order by created_at desc "
                + "limit 1", p).get("purpose"));
        assertEquals("olivia@vendor.test", db.one("select created_by from onboarding_link where partner_id = ? "
                + "order by created_at desc limit 1", p).get("created_by"));
        var started = connect(URI.create(url).getRawPath(), null);
        var redirect = consent(started, k, true);
        assertEquals("SUCCESS", outcome(callback(redirect, redirect.cookie())));
        assertEquals("ACTIVE", db.one("select state from partner_grant where partner_id = ?", p).get("state"));
        given().auth().oauth2(TestJwt.withRoles("svc", TokensResource.ROLE)).get("/tokens/" + p).then().statusCode(200);
        ops().body("{\"valid_for\":\"soon\"}").post("/admin/partners/" + p + "/reauthorization-links").then()
                .statusCode(400);
    }

    @Test
    void disconnect_revokes_at_the_provider_deletes_the_tokens_and_is_audited() {
        String k = key();
        String p = onboarded(sandboxPartners, k, "Disconnect Me Ltd");
        String token = given().auth().oauth2(TestJwt.withRoles("svc", TokensResource.ROLE)).get("/tokens/" + p).then()
                .statusCode(200).extract().path("access_token");
        assertEquals(1, sandboxGrants.liveFamilies(k));
        ops().post("/admin/partners/" + p + "/grant/disconnect").then().statusCode(200)
                .body("state", equalTo("REVOKED")).body("revocation", equalTo("revoked"))
                .body("already_disconnected", equalTo(false));
        assertEquals(0, sandboxGrants.liveFamilies(k), "the sandbox reports the grant revoked");
        assertTrue(sandboxGrants.liveAccessToken(token).isEmpty(), "the access token is revoked too");
        Map<String, Object> row = db.one("select state, access_token, refresh_token, refresh_due_at from partner_grant "
                + "where partner_id = ?", p);
        assertEquals("REVOKED", row.get("state"));
        assertNull(row.get("access_token"));
        assertNull(row.get("refresh_token"));
        assertNull(row.get("refresh_due_at"));
        assertEquals("olivia@vendor.test", db.one("select actor from audit_event where partner_id = ? "
                + "and action = 'GRANT_DISCONNECTED'", p).get("actor"));
        assertEquals("olivia@vendor.test", db.one("select actor from audit_event where partner_id = ? "
                + "and action = 'GRANT_DISCONNECTED' and detail->>'to' = 'REVOKED'", p).get("actor"));
        given().auth().oauth2(TestJwt.withRoles("svc", TokensResource.ROLE)).get("/tokens/" + p).then().statusCode(409)
                .body("grant_state", equalTo("REVOKED"));
        // idempotent
        ops().post("/admin/partners/" + p + "/grant/disconnect").then().statusCode(200)
                .body("already_disconnected", equalTo(true));
        ops().post("/admin/partners/" + p + "/grant/refresh").then().statusCode(409);
        given().auth().oauth2(TestJwt.ops()).get("/admin/grants?filter=revoked&q=" + p).then().statusCode(200)
                .body("content.partner_id", hasItem(p));
    }

    @Test
    void disconnect_still_deletes_the_tokens_when_revocation_fails() {
        String k = key();
        String p = onboarded(sandboxPartners, k, "Revocation Fails Ltd");
        sandboxFaults.rejectClient("gateway-sandbox");
        ops().post("/admin/partners/" + p + "/grant/disconnect").then().statusCode(200)
                .body("state", equalTo("REVOKED")).body("revocation", equalTo("failed"))
                .body("revocation_error", containsString("invalid_client"));
        sandboxFaults.reset();
        assertEquals(1, sandboxGrants.liveFamilies(k), "the provider still has it: the failure is recorded, not hidden");
        assertNull(db.one("select refresh_token from partner_grant where partner_id = ?", p).get("refresh_token"));
        assertEquals("failed", db.one("select detail->>'revocation' as r from audit_event where partner_id = ? "
                + "and action = 'GRANT_DISCONNECTED'", p).get("r"));
    }

    static Stream<Arguments> actions() {
        return Stream.of(Arguments.of("grant/refresh"), Arguments.of("grant/disconnect"),
                Arguments.of("reauthorization-links"));
    }

    @ParameterizedTest
    @MethodSource("actions")
    void actions_refuse_callers_without_a_valid_ops_jwt(String action) {
        String k = key();
        String p = onboarded(sandboxPartners, k, "Auth Cases Ltd");
        String path = "/admin/partners/" + p + "/" + action;
        given().contentType(ContentType.JSON).post(path).then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", startsWith("Bearer"));
        given().auth().oauth2(TestJwt.expired("ops")).contentType(ContentType.JSON).post(path).then().statusCode(401);
        given().auth().oauth2(TestJwt.tampered()).contentType(ContentType.JSON).post(path).then().statusCode(401);
        given().auth().oauth2(TestJwt.wrongIssuer("ops")).contentType(ContentType.JSON).post(path).then().statusCode(401);
        given().auth().oauth2(TestJwt.wrongAudience("ops")).contentType(ContentType.JSON).post(path).then().statusCode(401);
        given().auth().oauth2(TestJwt.withRoles("svc", TokensResource.ROLE)).contentType(ContentType.JSON).post(path)
                .then().statusCode(403).contentType("application/problem+json");
        // nothing happened
        assertEquals("ACTIVE", db.one("select state from partner_grant where partner_id = ?", p).get("state"));
        assertEquals(1, sandboxGrants.liveFamilies(k));
        assertEquals(0L, db.count("select count(*) from audit_event where partner_id = ? and action in "
                + "('GRANT_REFRESH_FORCED', 'GRANT_DISCONNECTED')", p));
        assertEquals(1L, db.count("select count(*) from onboarding_link where partner_id = ?", p));
    }

    @Test
    void the_grants_listing_needs_an_ops_jwt_and_pages_by_expiry() {
        given().get("/admin/grants").then().statusCode(401);
        given().auth().oauth2(TestJwt.withRoles("svc", TokensResource.ROLE)).get("/admin/grants").then().statusCode(403);
        String prefix = "pg" + key().substring(4);
        for (int i = 0; i < 3; i++) {
            String id = OnboardingDriver.newPartner("Paging " + prefix + " " + i);
            db.update("update partner set id = ? where id = ?", prefix + "-" + i, id);
        }
        // give them grants with distinct expiries without going through the provider
        for (int i = 0; i < 3; i++) {
            db.update("insert into partner_grant (id, partner_id, registration, state, state_since, access_expires_at, "
                    + "created_at, updated_at) values (gen_random_uuid(), ?, 'pax8', 'REAUTH_REQUIRED', now(), "
                    + "now() + make_interval(hours => ?), now(), now())", prefix + "-" + i, 3 - i);
        }
        var first = given().auth().oauth2(TestJwt.ops()).queryParam("filter", "reauth").queryParam("q", prefix)
                .queryParam("size", 2).get("/admin/grants").then().statusCode(200)
                .body("content.partner_id", equalTo(List.of(prefix + "-2", prefix + "-1")))
                .body("next_cursor", notNullValue()).extract();
        given().auth().oauth2(TestJwt.ops()).queryParam("filter", "reauth").queryParam("q", prefix)
                .queryParam("size", 2).queryParam("after", first.path("next_cursor").toString())
                .get("/admin/grants").then().statusCode(200)
                .body("content.partner_id", equalTo(List.of(prefix + "-0")))
                .body("next_cursor", org.hamcrest.Matchers.nullValue());
        given().auth().oauth2(TestJwt.ops()).queryParam("q", ("Paging " + prefix).toUpperCase()).get("/admin/grants")
                .then().statusCode(200).body("content.size()", equalTo(3));
        given().auth().oauth2(TestJwt.ops()).queryParam("after", "garbage").get("/admin/grants").then().statusCode(400);
        given().auth().oauth2(TestJwt.ops()).get("/admin/grants/counts").then().statusCode(200)
                .body("reauth_required", org.hamcrest.Matchers.greaterThanOrEqualTo(3));
    }

    @Test
    void disconnect_announces_revoked_and_the_webhook_is_delivered() {
        String p = onboarded(sandboxPartners, key(), "Announce My Disconnect Ltd");
        ops().post("/admin/partners/" + p + "/grant/disconnect").then().statusCode(200).body("state", equalTo("REVOKED"));
        List<Map<String, Object>> events = db.query("select id, type from webhook_event where partner_id = ?", p);
        assertEquals(1, events.size(), "exactly one event for the disconnect: " + events);
        String id = events.get(0).get("id").toString();
        assertEquals("REVOKED", events.get(0).get("type"));
        sender.deliverDue();
        List<SandboxWebhookReceiver.Delivery> got = receiver.deliveriesOf(id);
        assertEquals(1, got.size(), "delivered once");
        assertEquals("REVOKED", got.get(0).header("X-Gateway-Event-Type"));
        assertTrue(got.get(0).signatureValid());
        assertNotNull(db.one("select delivered_at from webhook_event where id = ?::uuid", id).get("delivered_at"));
        // disconnecting again changes nothing and announces nothing
        ops().post("/admin/partners/" + p + "/grant/disconnect").then().statusCode(200)
                .body("already_disconnected", equalTo(true));
        assertEquals(1, db.count("select count(*) from webhook_event where partner_id = ?", p));
    }
}
