package dev.oauthgw.onboarding;

import static dev.oauthgw.testing.OnboardingDriver.callback;
import static dev.oauthgw.testing.OnboardingDriver.connect;
import static dev.oauthgw.testing.OnboardingDriver.consent;
import static dev.oauthgw.testing.OnboardingDriver.newLinkPath;
import static dev.oauthgw.testing.OnboardingDriver.newPartner;
import static dev.oauthgw.testing.OnboardingDriver.onboard;
import static dev.oauthgw.testing.OnboardingDriver.outcome;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.oauthgw.ops.dashboard.OpsCsrf;
import dev.oauthgw.ops.signin.OpsPasswords;
import dev.oauthgw.ops.signin.OpsSignIn;
import dev.oauthgw.ops.signin.OpsSignInTest;
import dev.oauthgw.provider.BindingPolicies;
import dev.oauthgw.provider.BindingPolicy;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.OnboardingDriver.Redirect;
import dev.oauthgw.testing.OnboardingDriver.Started;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.tokens.TokensResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

/**
 * Tenant binding (ADR 0010): one Pax8 account per partner, the registration's binding policy (switched per
 * test with {@link QuarkusMock}, no restart), the operator's confirmation, and links that can be taken back.
 */
@QuarkusTest
class TenantBindingTest {

    @Inject
    Db db;
    @Inject
    SandboxPartners sandboxPartners;

    /** The policy of every registration for the current test. */
    static final class Fixed extends BindingPolicies {
        private final BindingPolicy policy;

        Fixed(BindingPolicy policy) {
            super(null);
            this.policy = policy;
        }

        @Override
        public BindingPolicy of(String registration) {
            return policy;
        }

        @Override
        public BindingPolicy ofDefault() {
            return policy;
        }
    }

    private static void policy(BindingPolicy p) {
        QuarkusMock.installMockForType(new Fixed(p), BindingPolicies.class);
    }

    /** A Pax8 account of the sandbox that no other test uses. */
    private String pax8Account() {
        String key = "tb-" + UUID.randomUUID().toString().substring(0, 8);
        sandboxPartners.register(key, "Tenant " + key);
        return key;
    }

    private String pax8IdOf(String key) {
        return sandboxPartners.find(key).orElseThrow().pax8PartnerId();
    }

    private static RequestSpecification ops() {
        return given().auth().oauth2(TestJwt.ops()).contentType(ContentType.JSON);
    }

    private static RequestSpecification caller() {
        return given().auth().oauth2(TestJwt.withRoles("svc-binding", TokensResource.ROLE));
    }

    private long grants(String partnerId) {
        return db.count("select count(*) from partner_grant where partner_id = ?", partnerId);
    }

    private long audits(String partnerId, String action) {
        return db.count("select count(*) from audit_event where partner_id = ? and action = ?", partnerId, action);
    }

    private String state(String partnerId) {
        return (String) db.one("select state from partner_grant where partner_id = ?", partnerId).get("state");
    }

    private Object boundAccount(String partnerId) {
        return db.one("select provider_account_id from partner where id = ?", partnerId).get("provider_account_id");
    }

    // --- one Pax8 account, one partner ---------------------------------------------------------------------

    @Test
    void a_second_partner_consenting_with_an_account_bound_to_another_is_refused_and_nothing_is_stored() {
        String account = pax8Account();
        String a = newPartner("First Holder");
        String b = newPartner("Second Holder");
        assertEquals("SUCCESS", outcome(onboard(a, account)));

        Response page = onboard(b, account);
        assertEquals(409, page.statusCode());
        assertEquals("WRONG_ACCOUNT", outcome(page));
        assertEquals(0, grants(b));
        assertNull(boundAccount(b));
        assertEquals(0, db.count("select count(*) from onboarding_link where partner_id = ? and used_at is not null", b));
        assertTrue(db.one("select detail->>'detail' as d from audit_event where partner_id = ? and action = "
                + "'ONBOARDING_FAILED'", b).get("d").toString().contains("bound to another partner"));
        caller().get("/tokens/" + b).then().statusCode(404);
        assertEquals(pax8IdOf(account), boundAccount(a));
    }

    @Test
    void an_account_waiting_for_confirmation_at_one_partner_cannot_be_taken_by_another() {
        policy(BindingPolicy.CONFIRM_FIRST);
        String account = pax8Account();
        String a = newPartner("Waiting Holder");
        String b = newPartner("Late Holder");
        assertEquals("AWAITING_CONFIRMATION", outcome(onboard(a, account)));
        assertEquals("WRONG_ACCOUNT", outcome(onboard(b, account)));
        assertEquals(0, grants(b));
    }

    @Test
    void creating_a_partner_with_an_account_bound_to_another_is_refused() {
        String account = pax8Account();
        newPartner("Named Holder", pax8IdOf(account));
        ops().body("{\"id\":\"dup-" + UUID.randomUUID().toString().substring(0, 8)
                + "\",\"display_name\":\"Dup\",\"provider_account_id\":\"" + pax8IdOf(account) + "\"}")
                .post("/admin/partners").then().statusCode(409).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.endsWith("account-bound"));
    }

    // --- operator-set --------------------------------------------------------------------------------------

    @Test
    void operator_set_refuses_any_account_but_the_one_the_operator_named() {
        String right = pax8Account();
        String other = pax8Account();
        String unbound = newPartner("No Account Named"); // made before the policy applies
        policy(BindingPolicy.OPERATOR_SET);
        ops().body("{\"id\":\"os-" + UUID.randomUUID().toString().substring(0, 8) + "\",\"display_name\":\"X\"}")
                .post("/admin/partners").then().statusCode(400).contentType("application/problem+json");
        String named = newPartner("Account Named", pax8IdOf(right));

        assertEquals("WRONG_ACCOUNT", outcome(onboard(named, other)));
        assertEquals(0, grants(named));
        assertEquals("WRONG_ACCOUNT", outcome(onboard(unbound, other)));
        assertEquals(0, grants(unbound));
        assertNull(boundAccount(unbound));

        assertEquals("SUCCESS", outcome(onboard(named, right)));
        assertEquals("ACTIVE", state(named));
        caller().get("/tokens/" + named).then().statusCode(200);
    }

    // --- confirm-first -------------------------------------------------------------------------------------

    @Test
    void confirm_first_keeps_the_tokens_until_an_operator_confirms_the_account() {
        policy(BindingPolicy.CONFIRM_FIRST);
        String account = pax8Account();
        String p = newPartner("Confirm Me Ltd");
        Response page = onboard(p, account);
        assertEquals(202, page.statusCode());
        assertEquals("AWAITING_CONFIRMATION", outcome(page));
        Map<String, Object> g = db.one("select state, provider_account_id, provider_account_name, access_token "
                + "from partner_grant where partner_id = ?", p);
        assertEquals("PENDING", g.get("state"));
        assertEquals(pax8IdOf(account), g.get("provider_account_id"));
        assertEquals("Tenant " + account, g.get("provider_account_name"));
        assertTrue(g.get("access_token") instanceof byte[], "tokens are stored sealed");
        assertNull(boundAccount(p), "not bound before the confirmation");
        assertEquals(1, audits(p, "GRANT_AWAITING_CONFIRMATION"));

        caller().get("/tokens/" + p).then().statusCode(409).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.endsWith("confirmation-pending")).body("grant_state", equalTo("PENDING"));
        ops().get("/admin/partners/" + p + "/grant").then().statusCode(200)
                .body("provider_account_name", equalTo("Tenant " + account));

        // confirming another account than the grant holds (the operator looked at an older consent) is refused
        ops().body("{\"provider_account_id\":\"someone-else\"}").post("/admin/partners/" + p + "/grant/confirm")
                .then().statusCode(409).body("type", org.hamcrest.Matchers.endsWith("account-conflict"));
        assertEquals("PENDING", state(p));

        ops().body("{\"provider_account_id\":\"" + pax8IdOf(account) + "\"}")
                .post("/admin/partners/" + p + "/grant/confirm").then().statusCode(200)
                .body("state", equalTo("ACTIVE")).body("provider_account_id", equalTo(pax8IdOf(account)));
        assertEquals("ACTIVE", state(p));
        assertEquals(pax8IdOf(account), boundAccount(p));
        Map<String, Object> audit = db.one("select actor, detail->>'from' as f, detail->>'to' as t from audit_event "
                + "where partner_id = ? and action = 'GRANT_CONFIRMED'", p);
        assertEquals("PENDING", audit.get("f"));
        assertEquals("ACTIVE", audit.get("t"));
        assertTrue(!"partner-admin".equals(audit.get("actor")) && !"system".equals(audit.get("actor")), audit::toString);
        caller().get("/tokens/" + p).then().statusCode(200);

        // nothing is pending any more
        ops().body("{}").post("/admin/partners/" + p + "/grant/confirm").then().statusCode(409)
                .body("type", org.hamcrest.Matchers.endsWith("grant-not-pending"));
        ops().body("{}").post("/admin/partners/" + p + "/grant/reject").then().statusCode(409);
        // a later consent of the bound account goes straight to ACTIVE
        assertEquals("SUCCESS", outcome(onboard(p, account)));
        assertEquals("ACTIVE", state(p));
    }

    @Test
    void rejecting_the_account_revokes_and_deletes_the_tokens_and_leaves_the_account_free() {
        policy(BindingPolicy.CONFIRM_FIRST);
        String account = pax8Account();
        String wrong = newPartner("Forwarded Link Ltd");
        assertEquals("AWAITING_CONFIRMATION", outcome(onboard(wrong, account)));
        ops().body("{}").post("/admin/partners/" + wrong + "/grant/reject").then().statusCode(200)
                .body("state", equalTo("REVOKED")).body("revocation", equalTo("revoked"));
        Map<String, Object> g = db.one("select state, access_token, refresh_token, provider_account_id from partner_grant "
                + "where partner_id = ?", wrong);
        assertEquals("REVOKED", g.get("state"));
        assertNull(g.get("access_token"));
        assertNull(g.get("refresh_token"));
        assertNull(g.get("provider_account_id"));
        assertNull(boundAccount(wrong));
        assertEquals(1, audits(wrong, "GRANT_REJECTED"));
        caller().get("/tokens/" + wrong).then().statusCode(409);
        // the account's real partner can still connect it
        String right = newPartner("Real Owner Ltd");
        assertEquals("AWAITING_CONFIRMATION", outcome(onboard(right, account)));
    }

    @Test
    void confirm_and_reject_answer_404_for_unknown_partners_and_partners_without_a_grant() {
        ops().body("{}").post("/admin/partners/no-such-partner/grant/confirm").then().statusCode(404)
                .contentType("application/problem+json");
        ops().body("{}").post("/admin/partners/no-such-partner/grant/reject").then().statusCode(404);
        String p = newPartner("Nothing Yet");
        ops().body("{}").post("/admin/partners/" + p + "/grant/confirm").then().statusCode(404);
        given().auth().oauth2(TestJwt.withRoles("svc", TokensResource.ROLE)).contentType(ContentType.JSON).body("{}")
                .post("/admin/partners/" + p + "/grant/confirm").then().statusCode(403);
    }

    @Test
    void the_dashboard_shows_the_pending_account_and_confirms_it_with_the_csrf_token() {
        policy(BindingPolicy.CONFIRM_FIRST);
        String account = pax8Account();
        String p = newPartner("Dashboard Confirm Ltd");
        assertEquals("AWAITING_CONFIRMATION", outcome(onboard(p, account)));
        String session = OpsSignInTest.signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        Response detail = given().cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops/grants/" + p);
        assertEquals(200, detail.statusCode());
        assertTrue(detail.asString().contains("id=\"pending-account-name\">Tenant " + account), detail::asString);
        Response confirmPage = given().cookie(OpsSignIn.SESSION_COOKIE, session)
                .get("/ops/grants/" + p + "/confirm/confirm-account");
        assertEquals(200, confirmPage.statusCode());
        String field = field(confirmPage.asString(), "csrf");
        assertEquals(pax8IdOf(account), field(confirmPage.asString(), "account"));
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session)
                .cookie(OpsCsrf.COOKIE, confirmPage.getCookie(OpsCsrf.COOKIE)).contentType(ContentType.URLENC)
                .formParam("csrf", field).formParam("account", pax8IdOf(account))
                .post("/ops/grants/" + p + "/confirm-account").then().statusCode(303);
        assertEquals("ACTIVE", state(p));
        assertEquals(1, audits(p, "GRANT_CONFIRMED"));
    }

    private static String field(String page, String name) {
        var m = java.util.regex.Pattern.compile("name=\"" + name + "\" value=\"([^\"]*)\"").matcher(page);
        assertTrue(m.find(), "the page carries the field " + name);
        return m.group(1);
    }

    // --- links: list and revoke ----------------------------------------------------------------------------

    @Test
    void outstanding_links_are_listed_and_a_revoked_link_shows_the_withdrawn_page_and_stores_nothing() {
        String account = pax8Account();
        String p = newPartner("Link Revoker Ltd");
        String first = newLinkPath(p);
        String second = newLinkPath(p);
        var links = ops().get("/admin/partners/" + p + "/onboarding-links").then().statusCode(200)
                .body("$", hasSize(2)).extract().jsonPath();
        String newest = links.getString("[0].link_id");
        assertEquals(p, links.getString("[0].partner_id"));

        // a Connect under way on the newest link, then the link is revoked
        Started started = connect(second, null);
        ops().post("/admin/partners/" + p + "/onboarding-links/" + newest + "/revoke").then().statusCode(200)
                .body("revoked_at", org.hamcrest.Matchers.notNullValue());
        assertEquals(1, audits(p, "LINK_REVOKED"));
        ops().get("/admin/partners/" + p + "/onboarding-links").then().statusCode(200).body("$", hasSize(1));

        Response page = given().get(second);
        assertEquals(410, page.statusCode());
        assertEquals("LINK_REVOKED", outcome(page));
        Redirect r = consent(started, account, true);
        assertEquals("LINK_REVOKED", outcome(callback(r, r.cookie())));
        assertEquals(0, grants(p));
        assertNull(boundAccount(p));

        // unhappy paths
        ops().post("/admin/partners/" + p + "/onboarding-links/" + newest + "/revoke").then().statusCode(409)
                .body("type", org.hamcrest.Matchers.endsWith("link-not-outstanding"));
        ops().post("/admin/partners/" + p + "/onboarding-links/not-a-uuid/revoke").then().statusCode(400)
                .contentType("application/problem+json");
        ops().post("/admin/partners/" + p + "/onboarding-links/" + UUID.randomUUID() + "/revoke").then().statusCode(404);
        String other = newPartner("Other Partner");
        ops().post("/admin/partners/" + other + "/onboarding-links/" + links.getString("[1].link_id") + "/revoke")
                .then().statusCode(404);
        ops().get("/admin/partners/no-such-partner/onboarding-links").then().statusCode(404);
        ops().post("/admin/partners/no-such-partner/onboarding-links/" + newest + "/revoke").then().statusCode(404);

        // the first link still works
        Started s = connect(first, null);
        Redirect ok = consent(s, account, true);
        assertEquals("SUCCESS", outcome(callback(ok, ok.cookie())));
    }

    @Test
    void a_successful_onboarding_revokes_the_partners_other_outstanding_links() {
        String account = pax8Account();
        String p = newPartner("Many Links Ltd");
        String used = newLinkPath(p);
        String spare = newLinkPath(p);
        String spare2 = newLinkPath(p);
        Started s = connect(used, null);
        Redirect r = consent(s, account, true);
        assertEquals("SUCCESS", outcome(callback(r, r.cookie())));
        ops().get("/admin/partners/" + p + "/onboarding-links").then().statusCode(200).body("$", hasSize(0));
        assertEquals(2, audits(p, "LINK_REVOKED"));
        assertEquals("LINK_REVOKED", outcome(given().get(spare)));
        assertEquals("LINK_REVOKED", outcome(given().get(spare2)));
    }

    @Test
    void a_disconnect_revokes_the_partners_outstanding_links() {
        String account = pax8Account();
        String p = newPartner("Disconnect Links Ltd");
        assertEquals("SUCCESS", outcome(onboard(p, account)));
        String reauth = newLinkPath(p);
        ops().get("/admin/partners/" + p + "/onboarding-links").then().statusCode(200).body("$", hasSize(1));
        ops().post("/admin/partners/" + p + "/grant/disconnect").then().statusCode(200);
        ops().get("/admin/partners/" + p + "/onboarding-links").then().statusCode(200).body("$", hasSize(0));
        assertEquals("LINK_REVOKED", outcome(given().get(reauth)));
        assertEquals(1, db.count("select count(*) from audit_event where partner_id = ? and action = 'LINK_REVOKED' "
                + "and detail->>'reason' = 'partner disconnected'", p));
    }

    @Test
    void the_dashboard_lists_outstanding_links_and_revokes_one() {
        String account = pax8Account();
        String p = newPartner("Dashboard Links Ltd");
        assertEquals("SUCCESS", outcome(onboard(p, account)));
        String reauth = newLinkPath(p);
        String linkId = ops().get("/admin/partners/" + p + "/onboarding-links").then().extract().path("[0].link_id");
        String session = OpsSignInTest.signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        Response detail = given().cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops/grants/" + p);
        assertTrue(detail.asString().contains("id=\"revoke-" + linkId + "\""), detail::asString);
        given().redirects().follow(false).cookie(OpsSignIn.SESSION_COOKIE, session)
                .cookie(OpsCsrf.COOKIE, detail.getCookie(OpsCsrf.COOKIE)).contentType(ContentType.URLENC)
                .formParam("csrf", field(detail.asString(), "csrf"))
                .post("/ops/grants/" + p + "/links/" + linkId + "/revoke").then().statusCode(303);
        assertEquals("LINK_REVOKED", outcome(given().get(reauth)));
        assertEquals(1, audits(p, "LINK_REVOKED"));
    }
}
