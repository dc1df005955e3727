package dev.oauthgw.sandbox.authserver;

import static dev.oauthgw.sandbox.Sandbox.SCOPE;
import static dev.oauthgw.sandbox.Sandbox.assertError;
import static dev.oauthgw.sandbox.Sandbox.refresh;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.Sandbox;
import dev.oauthgw.sandbox.control.SandboxReset;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Sandbox partners registered at runtime, and a partner's grants revoked all at once. */
@QuarkusTest
class SandboxPartnersTest {

    @Inject
    SandboxReset reset;

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxPartners partners;

    @Inject
    SandboxCounters counters;

    @BeforeEach
    @AfterEach
    void fresh() {
        reset.everything();
    }

    private String refreshToken(String partner) {
        return Sandbox.grant(grants, partner, SCOPE).then().statusCode(200).extract().path("refresh_token");
    }

    @Test
    void revoking_a_partner_kills_all_its_families_and_no_other() {
        Response a1 = Sandbox.grant(grants, "acme", SCOPE);
        Response a2 = Sandbox.grant(grants, "acme", SCOPE);
        String globex = refreshToken("globex");
        assertEquals(2, grants.liveFamilies("acme"));

        assertEquals(2, grants.revokePartner("acme"));

        assertError(refresh(a1.path("refresh_token")), 403, "invalid_grant");
        assertError(refresh(a2.path("refresh_token")), 403, "invalid_grant");
        Sandbox.companies(a1.path("access_token")).then().statusCode(401);
        refresh(globex).then().statusCode(200);
        assertEquals(0, grants.liveFamilies("acme"));
        assertEquals(1, grants.liveFamilies("globex"));
        assertEquals(2, counters.revokedFamilies());
        assertEquals(Map.of("globex", 1), grants.liveFamiliesByPartner());
    }

    @Test
    void hundreds_of_partners_can_be_registered_and_used() {
        for (int i = 0; i < 300; i++) {
            partners.register("load-" + i, "Load Partner " + i);
        }
        assertEquals(303, partners.all().size());
        String token = Sandbox.grant(grants, "load-299", SCOPE).then().statusCode(200).extract().path("access_token");
        Sandbox.companies(token).then().statusCode(200)
                .body("content[0].name", containsString("Load Partner 299"));
        assertTrue(partners.find("load-7").orElseThrow().pax8PartnerId().matches("[0-9a-f-]{36}"));
    }
}
