package dev.oauthgw.onboarding;

import static dev.oauthgw.testing.OnboardingDriver.newPartner;
import static dev.oauthgw.testing.OnboardingDriver.onboard;
import static dev.oauthgw.testing.OnboardingDriver.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.oauthgw.provider.IdentityResolver.Identity;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.testing.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * A provider answer the schema cannot hold (an account id or subject longer than its column) is refused
 * before anything is written, with a clear page, and the tokens the provider had just issued are revoked.
 */
@QuarkusTest
class OnboardingUnusableIdentityTest {

    @Inject
    Db db;
    @Inject
    SandboxPartners sandboxPartners;
    @Inject
    SandboxGrants sandboxGrants;

    @Test
    void an_account_id_longer_than_its_column_is_refused_with_a_clear_page_nothing_stored_and_the_tokens_revoked() {
        String key = "long-" + UUID.randomUUID().toString().substring(0, 8);
        sandboxPartners.register(key, "Long Id Partner", "p".repeat(300), 1);
        String partner = newPartner("Long Id Partner");

        Response page = onboard(partner, key);

        assertEquals(422, page.statusCode(), page::asString);
        assertEquals("IDENTITY_UNUSABLE", outcome(page));
        assertFalse(page.asString().contains("ppppp"), "the page does not repeat the provider's value");
        assertEquals(0, db.count("select count(*) from partner_grant where partner_id = ?", partner));
        assertNull(db.one("select provider_account_id from partner where id = ?", partner).get("provider_account_id"));
        assertEquals(0, sandboxGrants.liveFamilies(key), "the refresh token the gateway did not keep is revoked");
        assertTrue(db.query("select detail::text as d from audit_event where partner_id = ? and action = 'ONBOARDING_FAILED'",
                partner).toString().contains("IDENTITY_UNUSABLE"));
    }

    @Test
    void identities_that_fit_their_columns_are_usable_and_others_are_not() {
        assertTrue(OnboardingService.unusable(new Identity(Optional.of("a".repeat(255)), Optional.of("s".repeat(255))))
                .isEmpty());
        assertTrue(OnboardingService.unusable(new Identity(Optional.empty(), Optional.empty())).isEmpty());
        assertTrue(OnboardingService.unusable(new Identity(Optional.of("a".repeat(256)), Optional.empty())).isPresent());
        assertTrue(OnboardingService.unusable(new Identity(Optional.of("acct"), Optional.of("s".repeat(256)))).isPresent());
        assertTrue(OnboardingService.unusable(new Identity(Optional.of("ac\nct"), Optional.empty())).isPresent());
    }
}
