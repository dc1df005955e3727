package dev.oauthgw.testing.leaks;

import java.util.regex.Pattern;

import org.eclipse.microprofile.config.Config;

import dev.oauthgw.ops.signin.OpsPasswords;
import dev.oauthgw.sandbox.SandboxIssued;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Test-only bean: puts into {@link MintedSecrets} every secret the sandbox issues, and at each application start
 * the secrets of the running configuration (client secrets, session and state keys, password hashes) and the dev
 * account's password.
 */
@ApplicationScoped
public class SecretWitness {

    private static final Pattern SECRET_NAME = Pattern
            .compile("(?i).*(secret|password|encryption-key|session-key|keyring|sign\\.key|signing-key|private).*");

    void issued(@Observes SandboxIssued.Secret secret) {
        MintedSecrets.record(secret.value());
    }

    void started(@Observes StartupEvent start, Config config) {
        MintedSecrets.record(OpsPasswords.DEV_PASSWORD);
        for (String name : config.getPropertyNames()) {
            if (!SECRET_NAME.matcher(name).matches()) {
                continue;
            }
            try {
                config.getOptionalValue(name, String.class).ifPresent(MintedSecrets::record);
            } catch (RuntimeException unresolvable) {
                // an expression without a value in this profile: nothing to record
            }
        }
    }
}
