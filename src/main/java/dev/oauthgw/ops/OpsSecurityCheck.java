package dev.oauthgw.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Fails closed at start: without a dashboard account, with an unreadable hash, with the documented dev
 * password, or (prod) without a session encryption key shared by the replicas, the gateway does not start.
 */
@Startup
@ApplicationScoped
public class OpsSecurityCheck {

    public OpsSecurityCheck(OpsConfig config,
            @ConfigProperty(name = "quarkus.http.auth.session.encryption-key") Optional<String> sessionKey) {
        List<String> problems = problems(config, sessionKey, config.requireSessionKey());
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Operator sign-in is not configured safely:\n - " + String.join("\n - ", problems));
        }
    }

    static List<String> problems(OpsConfig config, Optional<String> sessionKey, boolean requireSessionKey) {
        List<String> problems = new ArrayList<>();
        if (config.users().isEmpty()) {
            problems.add("no dashboard account: set GATEWAY_OPS_USERS_<NAME>_PASSWORD_HASH to a bcrypt hash "
                    + "(print one with: java -cp <app classpath> dev.oauthgw.ops.OpsPasswords '<password>')");
        }
        config.users().forEach((name, user) -> {
            if (!OpsPasswords.isBcrypt(user.passwordHash())) {
                problems.add("account '" + name + "': password-hash is not a bcrypt hash ($2a$/$2b$/$2y$)");
            } else if (!config.allowDevCredentials()
                    && OpsPasswords.matches(user.passwordHash(), OpsPasswords.DEV_PASSWORD.toCharArray())) {
                problems.add("account '" + name + "' uses the documented dev password: choose another");
            }
        });
        if (requireSessionKey && sessionKey.filter(k -> k.strip().length() >= 32).isEmpty()) {
            problems.add("no session encryption key shared by the replicas: set GATEWAY_OPS_SESSION_KEY "
                    + "(at least 32 characters, e.g. openssl rand -base64 32)");
        }
        return problems;
    }
}
