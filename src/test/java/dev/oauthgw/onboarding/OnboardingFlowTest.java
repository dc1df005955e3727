package dev.oauthgw.onboarding;

import static dev.oauthgw.testing.OnboardingDriver.callback;
import static dev.oauthgw.testing.OnboardingDriver.connect;
import static dev.oauthgw.testing.OnboardingDriver.consent;
import static dev.oauthgw.testing.OnboardingDriver.newLinkPath;
import static dev.oauthgw.testing.OnboardingDriver.newPartner;
import static dev.oauthgw.testing.OnboardingDriver.onboard;
import static dev.oauthgw.testing.OnboardingDriver.outcome;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.crypto.DecryptionFailedException;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.Await;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.OnboardingDriver.Redirect;
import dev.oauthgw.testing.OnboardingDriver.Started;
import dev.oauthgw.testing.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/** Onboarding end to end over HTTP against the sandbox Pax8, with every way it can fail. */
@QuarkusTest
class OnboardingFlowTest {

    @Inject
    Db db;
    @Inject
    TokenCipher cipher;
    @Inject
    SandboxGrants sandboxGrants;
    @Inject
    SandboxPartners sandboxPartners;
    @Inject
    SandboxFaults sandboxFaults;
    @Inject
    SandboxCounters sandboxCounters;

    /**
     * Sandbox partners of this test alone: a Pax8 account binds to at most one partner (ADR 0010), so each
     * test consents with accounts no other test uses.
     */
    String acme;
    String globex;

    @BeforeEach
    void freshPax8Accounts() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        acme = sandboxPartners.register("acme-" + suffix, "Acme IT Services " + suffix).key();
        globex = sandboxPartners.register("globex-" + suffix, "Globex " + suffix).key();
    }

    @AfterEach
    void clearFaults() {
        sandboxFaults.reset();
    }

    private Map<String, Object> grantRow(String partnerId) {
        return db.one("select * from partner_grant where partner_id = ?", partnerId);
    }

    private long grants(String partnerId) {
        return db.count("select count(*) from partner_grant where partner_id = ?", partnerId);
    }

    private String accessToken(Map<String, Object> row) {
        UUID id = (UUID) row.get("id");
        return cipher.open(new Sealed((byte[]) row.get("access_token"), (Integer) row.get("access_token_key_id")),
                GrantService.accessAd(id));
    }

    private String refreshToken(Map<String, Object> row) {
        UUID id = (UUID) row.get("id");
        return cipher.open(new Sealed((byte[]) row.get("refresh_token"), (Integer) row.get("refresh_token_key_id")),
                GrantService.refreshAd(id));
    }

    @Test
    void partner_admin_connects_from_link_to_success_page_and_the_grant_lands_encrypted() {
        String partner = newPartner("Acme Partner");
        String link = newLinkPath(partner);

        given().get(link).then().statusCode(200)
                .header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer")
                .body(containsString("Acme Partner")).body(containsString("Example Vendor App"))
                .body(containsString("id=\"connect\""));

        Started s = connect(link, null);
        assertEquals("/sandbox/authorize", s.authorizeUri().getPath());
        assertEquals("S256", dev.oauthgw.testing.OnboardingDriver.query(s.authorizeUri(), "code_challenge_method"));
        assertEquals("https://api.pax8.com", dev.oauthgw.testing.OnboardingDriver.query(s.authorizeUri(), "audience"));
        assertTrue(dev.oauthgw.testing.OnboardingDriver.query(s.authorizeUri(), "scope").contains("offline_access"));
        Redirect r = consent(s, acme, true);
        Response page = callback(r, r.cookie());
        assertEquals(200, page.statusCode(), page::asString);
        assertEquals("SUCCESS", outcome(page));

        Map<String, Object> row = grantRow(partner);
        assertEquals("ACTIVE", row.get("state"));
        String access = accessToken(row);
        String refresh = refreshToken(row);
        // no plaintext token anywhere in the row
        String rawRow = db.one("select partner_grant::text as t from partner_grant where partner_id = ?", partner)
                .get("t").toString();
        assertFalse(rawRow.contains(access));
        assertFalse(rawRow.contains(refresh));
        assertFalse(new String((byte[]) row.get("access_token"), StandardCharsets.ISO_8859_1).contains(access));
        assertFalse(new String((byte[]) row.get("refresh_token"), StandardCharsets.ISO_8859_1).contains(refresh));
        assertEquals(cipher.primaryKeyId(), row.get("access_token_key_id"));
        // the stored token is the one the sandbox issued for acme, and it works on the partner API
        assertEquals(acme, sandboxGrants.liveAccessToken(access).orElseThrow().partnerKey());
        given().auth().oauth2(access).get("/sandbox/v1/companies?size=1").then().statusCode(200);
        // learned the Pax8 account; the grant status never shows a token
        assertEquals(sandboxPartners.find(acme).orElseThrow().pax8PartnerId(),
                db.one("select provider_account_id from partner where id = ?", partner).get("provider_account_id"));
        given().auth().oauth2(TestJwt.ops()).get("/admin/partners/" + partner + "/grant").then().statusCode(200)
                .body("state", equalTo("ACTIVE")).body(not(containsString(access)))
                .body(not(containsString(refresh)));
        // audited, without secrets
        String audit = db.query("select action, detail::text as d from audit_event where partner_id = ? order by id",
                partner).toString();
        assertTrue(audit.contains("GRANT_CREATED"), audit);
        assertTrue(audit.contains("LINK_CREATED"), audit);
        assertFalse(audit.contains(access) || audit.contains(refresh), "no token in the audit");
    }

    @Test
    void a_ciphertext_moved_to_another_grant_row_or_column_does_not_decrypt() {
        String a = newPartner("Mover A");
        String b = newPartner("Mover B");
        assertEquals("SUCCESS", outcome(onboard(a, acme)));
        assertEquals("SUCCESS", outcome(onboard(b, globex)));
        Map<String, Object> rowA = grantRow(a);
        db.update("update partner_grant set access_token = ?, access_token_key_id = ? where partner_id = ?",
                rowA.get("access_token"), rowA.get("access_token_key_id"), b);
        Map<String, Object> rowB = grantRow(b);
        assertThrows(DecryptionFailedException.class, () -> accessToken(rowB));
        // and A's access-token ciphertext does not open as A's refresh token either
        UUID idA = (UUID) rowA.get("id");
        assertThrows(DecryptionFailedException.class, () -> cipher.open(
                new Sealed((byte[]) rowA.get("access_token"), (Integer) rowA.get("access_token_key_id")),
                GrantService.refreshAd(idA)));
    }

    @Test
    void consent_denied_shows_the_denied_page_and_stores_nothing() {
        String partner = newPartner("Denying Partner");
        Started s = connect(newLinkPath(partner), null);
        Redirect r = consent(s, acme, false);
        Response page = callback(r, r.cookie());
        assertEquals(403, page.statusCode());
        assertEquals("DENIED", outcome(page));
        assertEquals(0, grants(partner));
        assertTrue(db.query("select detail::text as d from audit_event where partner_id = ? and action = 'ONBOARDING_FAILED'",
                partner).toString().contains("DENIED"));
    }

    @Test
    void a_used_link_is_refused_on_open_and_on_connect() {
        String partner = newPartner("Used Link Partner");
        String link = newLinkPath(partner);
        Started s = connect(link, null);
        Redirect r = consent(s, acme, true);
        assertEquals("SUCCESS", outcome(callback(r, r.cookie())));

        Response again = given().get(link);
        assertEquals(410, again.statusCode());
        assertEquals("LINK_USED", outcome(again));
        Response connectAgain = given().redirects().follow(false).post(link + "/connect");
        assertEquals(410, connectAgain.statusCode());
        assertEquals("LINK_USED", outcome(connectAgain));
    }

    @Test
    void an_expired_link_is_refused() {
        String partner = newPartner("Late Partner");
        String url = given().auth().oauth2(TestJwt.ops()).contentType("application/json")
                .body("{\"valid_for\":\"PT1S\"}").post("/admin/partners/" + partner + "/onboarding-links")
                .then().statusCode(201).extract().path("url");
        String link = java.net.URI.create(url).getRawPath();
        // it expires a second after it was made: on the server's clock, so ask until it says so
        Await.until(Duration.ofSeconds(10), "the link expired", () -> given().get(link).statusCode() != 200);
        Response page = given().get(link);
        assertEquals(410, page.statusCode());
        assertEquals("LINK_EXPIRED", outcome(page));
        Response c = given().redirects().follow(false).post(link + "/connect");
        assertEquals("LINK_EXPIRED", outcome(c));
        assertEquals(0, db.count("select count(*) from pending_authorization where partner_id = ?", partner));
    }

    @Test
    void a_forged_or_altered_link_is_refused() {
        String partner = newPartner("Forged Link Partner");
        String link = newLinkPath(partner);
        String token = link.substring(link.lastIndexOf('/') + 1);
        String altered = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
        Response page = given().get("/onboarding/" + altered);
        assertEquals(404, page.statusCode());
        assertEquals("LINK_INVALID", outcome(page));
        assertEquals("LINK_INVALID", outcome(given().get("/onboarding/not-a-link")));
    }

    @Test
    void replaying_the_callback_is_refused_and_changes_nothing() {
        String partner = newPartner("Replay Partner");
        Started s = connect(newLinkPath(partner), null);
        Redirect r = consent(s, acme, true);
        assertEquals("SUCCESS", outcome(callback(r, r.cookie())));
        Map<String, Object> before = grantRow(partner);

        Response replay = callback(r, r.cookie());
        assertEquals(400, replay.statusCode());
        assertEquals("REPLAY", outcome(replay));
        Map<String, Object> after = grantRow(partner);
        assertEquals(before.get("version"), after.get("version"));
        assertArrayEquals((byte[]) before.get("access_token"), (byte[]) after.get("access_token"));
    }

    @Test
    void a_forged_state_is_refused_with_nothing_stored() {
        String partner = newPartner("Forged State Partner");
        Started s = connect(newLinkPath(partner), null);
        Redirect r = consent(s, acme, true);
        String code = dev.oauthgw.testing.OnboardingDriver.query(r.callback(), "code");
        Response page = given().redirects().follow(false).cookie("gw_onboarding", r.cookie())
                .queryParam("code", code).queryParam("state", "forged-" + UUID.randomUUID())
                .get("/onboarding/callback");
        assertEquals(400, page.statusCode());
        assertEquals("STATE_MISMATCH", outcome(page));
        Response noState = given().redirects().follow(false).queryParam("code", code).get("/onboarding/callback");
        assertEquals("STATE_MISMATCH", outcome(noState));
        assertEquals(0, grants(partner));
    }

    @Test
    void a_callback_from_another_browser_is_refused_and_the_right_browser_can_still_finish() {
        String partner = newPartner("Two Browsers Partner");
        Started s = connect(newLinkPath(partner), null);
        Redirect r = consent(s, acme, true);

        Response noCookie = callback(r, null);
        assertEquals("STATE_MISMATCH", outcome(noCookie));
        Response otherBrowser = callback(r, "A".repeat(43));
        assertEquals("STATE_MISMATCH", outcome(otherBrowser));
        assertEquals(0, grants(partner));

        assertEquals("SUCCESS", outcome(callback(r, r.cookie())));
        assertEquals(1, grants(partner));
    }

    @Test
    void a_replayed_authorization_code_is_refused_by_the_provider_and_nothing_is_stored() {
        String first = newPartner("Code Owner");
        Started s1 = connect(newLinkPath(first), null);
        Redirect r1 = consent(s1, acme, true);
        assertEquals("SUCCESS", outcome(callback(r1, r1.cookie())));
        String usedCode = dev.oauthgw.testing.OnboardingDriver.query(r1.callback(), "code");

        String second = newPartner("Code Thief");
        Started s2 = connect(newLinkPath(second), null);
        Response page = given().redirects().follow(false).cookie("gw_onboarding", s2.cookie())
                .queryParam("code", usedCode).queryParam("state", s2.state()).get("/onboarding/callback");
        assertEquals(502, page.statusCode());
        assertEquals("PROVIDER_FAILURE", outcome(page));
        assertEquals(0, grants(second));
        assertTrue(sandboxCounters.codeReplays() >= 1);
    }

    @Test
    void the_wrong_pax8_account_is_refused_with_nothing_stored() {
        String expected = sandboxPartners.find(acme).orElseThrow().pax8PartnerId();
        String partner = newPartner("Expecting Acme", expected);
        Started s = connect(newLinkPath(partner), null);
        Redirect r = consent(s, globex, true);
        Response page = callback(r, r.cookie());
        assertEquals(409, page.statusCode());
        assertEquals("WRONG_ACCOUNT", outcome(page));
        assertEquals(0, grants(partner));
        assertTrue(db.query("select detail::text as d from audit_event where partner_id = ? and action = 'ONBOARDING_FAILED'",
                partner).toString().contains("WRONG_ACCOUNT"));
    }

    @Test
    void re_onboarding_with_another_account_than_the_first_grant_is_refused() {
        String partner = newPartner("Learned Acme");
        assertEquals("SUCCESS", outcome(onboard(partner, acme)));
        Map<String, Object> before = grantRow(partner);
        assertEquals("WRONG_ACCOUNT", outcome(onboard(partner, "initech")));
        assertArrayEquals((byte[]) before.get("access_token"), (byte[]) grantRow(partner).get("access_token"));
    }

    @Test
    void onboarding_again_replaces_the_grant_atomically() {
        String partner = newPartner("Twice Partner");
        assertEquals("SUCCESS", outcome(onboard(partner, acme)));
        Map<String, Object> first = grantRow(partner);
        String oldAccess = accessToken(first);

        assertEquals("SUCCESS", outcome(onboard(partner, acme)));
        Map<String, Object> second = grantRow(partner);
        assertEquals(1, grants(partner));
        assertEquals(first.get("id"), second.get("id"));
        assertTrue((Long) second.get("version") > (Long) first.get("version"));
        assertNotEquals(oldAccess, accessToken(second));
        assertTrue(db.query("select action from audit_event where partner_id = ?", partner).toString()
                .contains("GRANT_REPLACED"));
    }

    @Test
    void provider_failure_during_code_exchange_shows_the_failure_page() {
        String partner = newPartner("Unlucky Partner");
        Started s = connect(newLinkPath(partner), null);
        Redirect r = consent(s, acme, true);
        sandboxFaults.failTokenEndpoint(503, 1);
        Response page = callback(r, r.cookie());
        assertEquals(502, page.statusCode());
        assertEquals("PROVIDER_FAILURE", outcome(page));
        assertEquals(0, grants(partner));
    }

    @Test
    void coming_back_too_late_is_refused() {
        String partner = newPartner("Slow Partner");
        Started s = connect(newLinkPath(partner), null);
        Redirect r = consent(s, acme, true);
        db.update("update pending_authorization set expires_at = now() - interval '1 minute' where partner_id = ?",
                partner);
        Response page = callback(r, r.cookie());
        assertEquals("AUTHORIZATION_EXPIRED", outcome(page));
        assertEquals(0, grants(partner));
        // and the state cannot be used again
        assertEquals("REPLAY", outcome(callback(r, r.cookie())));
    }

    @Test
    void pages_escape_what_they_show() {
        String partner = newPartner("<script>alert(1)</script> & Co");
        String html = given().get(newLinkPath(partner)).then().statusCode(200).extract().asString();
        assertFalse(html.contains("<script>alert(1)</script>"));
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    }

    @Test
    void the_pkce_verifier_is_stored_encrypted_and_the_state_only_hashed() {
        String partner = newPartner("PKCE Partner");
        Started s = connect(newLinkPath(partner), null);
        Map<String, Object> p = db.one("select * from pending_authorization where partner_id = ?", partner);
        String raw = db.one("select pending_authorization::text as t from pending_authorization where partner_id = ?",
                partner).get("t").toString();
        assertFalse(raw.contains(s.state()));
        assertFalse(raw.contains(s.cookie()));
        assertNull(p.get("consumed_at"));
        assertEquals(32, ((byte[]) p.get("state_hash")).length);
    }
}
