package dev.oauthgw.testing;

import static dev.oauthgw.testing.OnboardingDriver.newPartner;
import static dev.oauthgw.testing.OnboardingDriver.onboard;
import static dev.oauthgw.testing.OnboardingDriver.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;

import dev.oauthgw.sandbox.authserver.SandboxPartners;

/** Partners onboarded through the sandbox, each as a sandbox partner of its own (so counters are per test). */
public final class OpsTestSupport {

    private OpsTestSupport() {
    }

    public static String key() {
        return "ops-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static String onboarded(SandboxPartners sandboxPartners, String sandboxKey, String displayName) {
        if (sandboxPartners.find(sandboxKey).isEmpty()) {
            sandboxPartners.register(sandboxKey, "Sandbox " + sandboxKey);
        }
        String partner = newPartner(displayName);
        assertEquals("SUCCESS", outcome(onboard(partner, sandboxKey)));
        return partner;
    }
}
