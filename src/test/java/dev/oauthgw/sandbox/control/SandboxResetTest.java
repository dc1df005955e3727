package dev.oauthgw.sandbox.control;

import static dev.oauthgw.sandbox.Sandbox.CLIENT_ID;
import static dev.oauthgw.sandbox.Sandbox.SCOPE;
import static dev.oauthgw.sandbox.Sandbox.assertError;
import static dev.oauthgw.sandbox.Sandbox.refresh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.Sandbox;
import dev.oauthgw.sandbox.authserver.SandboxClock;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import io.quarkus.test.junit.QuarkusTest;

/** What each reset forgets and what it keeps. */
@QuarkusTest
class SandboxResetTest {

    @Inject
    SandboxReset reset;

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxPartners partners;

    @Inject
    SandboxClock clock;

    @Inject
    SandboxCounters counters;

    @Inject
    SandboxFaults faults;

    @BeforeEach
    @AfterEach
    void fresh() {
        reset.everything();
    }

    private String refreshToken(String partner) {
        return Sandbox.grant(grants, partner, SCOPE).then().statusCode(200).extract().path("refresh_token");
    }

    @Test
    void reset_clears_switches_and_counters_but_keeps_grants() {
        String rt = refreshToken("acme");
        faults.failTokenEndpoint(500, SandboxFaults.UNTIL_CLEARED);
        faults.rateLimitTokenEndpoint(5, SandboxFaults.UNTIL_CLEARED);
        faults.slowTokenEndpoint(Duration.ofSeconds(3));
        faults.invalidGrantForPartner("acme");
        faults.rejectClient(CLIENT_ID);
        reset.countersAndSwitches();
        assertEquals(0, counters.calls(SandboxCounters.Endpoint.TOKEN));
        assertEquals(new SandboxFaults.Snapshot(0, 503, 0, 30, 0, java.util.Set.of(), java.util.Set.of()),
                faults.snapshot());
        refresh(rt).then().statusCode(200);
    }

    @Test
    void reset_all_forgets_grants_partners_and_time() {
        String rt = refreshToken("acme");
        partners.register("temp", "Temporary Partner");
        clock.advance(Duration.ofDays(2));
        reset.everything();
        assertError(refresh(rt), 403, "invalid_grant");
        assertTrue(partners.find("temp").isEmpty());
        assertTrue(partners.find("acme").isPresent());
        assertTrue(Duration.between(java.time.Instant.now(), clock.now()).abs().toSeconds() < 5);
    }
}
