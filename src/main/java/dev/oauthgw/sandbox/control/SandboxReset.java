package dev.oauthgw.sandbox.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.oauthgw.sandbox.authserver.ConsentRequests;
import dev.oauthgw.sandbox.authserver.SandboxClock;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.authserver.SandboxTokenPolicy;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * Puts the sandbox Pax8 back as it was: the one place that knows every part's state, for the control API
 * and for tests. The webhook receiver and the identity provider are not touched (they have their own).
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxReset {

    @Inject
    SandboxFaults faults;

    @Inject
    SandboxCounters counters;

    @Inject
    SandboxGrants grants;

    @Inject
    ConsentRequests consentRequests;

    @Inject
    SandboxPartners partners;

    @Inject
    SandboxClock clock;

    @Inject
    dev.oauthgw.sandbox.partnerapi.SandboxOrdersResource orders;

    @Inject
    SandboxTokenPolicy tokenPolicy;

    /** Clears counters and fault switches; tokens, families and partners stay. */
    public void countersAndSwitches() {
        counters.reset();
        faults.reset();
    }

    /**
     * Forgets everything, as after a restart: consent requests, codes, families, tokens, partners registered
     * at runtime, token-policy switches, counters and fault switches; the clock goes back to the system clock.
     */
    public void everything() {
        consentRequests.reset();
        orders.reset();
        grants.reset();
        partners.reset();
        clock.reset();
        tokenPolicy.reset();
        countersAndSwitches();
    }
}
