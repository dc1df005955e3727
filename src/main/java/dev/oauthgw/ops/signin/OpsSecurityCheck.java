package dev.oauthgw.ops.signin;

import dev.oauthgw.ops.OpsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Fails closed at start. With the built-in sign-in: without a dashboard account, with an unreadable hash or
 * with the documented dev password. With the vendor's identity provider: without issuer, client id, client
 * secret or operator groups, or with an issuer that is not https (prod). Always (prod): without a session
 * encryption key shared by the replicas.
 */
@Startup
@ApplicationScoped
public class OpsSecurityCheck {

    /** What the check needs to know of the OIDC sign-in. */
    record OidcSettings(boolean enabled, Optional<String> issuer, Optional<String> clientId, Optional<String> clientSecret,
            Set<String> operatorGroups, boolean requireHttps, Optional<String> apiJwtIssuer, Set<String> apiJwtAudiences) {

        OidcSettings(boolean enabled, Optional<String> issuer, Optional<String> clientId, Optional<String> clientSecret,
                Set<String> operatorGroups, boolean requireHttps) {
            this(enabled, issuer, clientId, clientSecret, operatorGroups, requireHttps, Optional.empty(), Set.of());
        }

        @Override
        public String toString() {
            return "OidcSettings[enabled=" + enabled + ", issuer=" + issuer + ", clientId=" + clientId
                    + ", clientSecret=<hidden>, operatorGroups=" + operatorGroups + "]";
        }
    }

    public OpsSecurityCheck(OpsConfig config, OpsSignIn signIn,
            @ConfigProperty(name = "quarkus.http.auth.session.encryption-key") Optional<String> sessionKey,
            @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> issuer,
            @ConfigProperty(name = "quarkus.oidc.client-id") Optional<String> clientId,
            @ConfigProperty(name = "quarkus.oidc.credentials.secret") Optional<String> clientSecret,
            @ConfigProperty(name = "mp.jwt.verify.issuer") Optional<String> apiJwtIssuer,
            @ConfigProperty(name = "mp.jwt.verify.audiences") Optional<Set<String>> apiJwtAudiences) {
        List<String> problems = problems(config, signIn, sessionKey, issuer, clientId, clientSecret, apiJwtIssuer,
                apiJwtAudiences);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Operator sign-in is not configured safely:\n - " + String.join("\n - ", problems));
        }
    }

    /** What is wrong with the operators' sign-in settings (setting names, never values); empty when nothing is. */
    public static List<String> problems(OpsConfig config, OpsSignIn signIn, Optional<String> sessionKey,
            Optional<String> issuer, Optional<String> clientId, Optional<String> clientSecret,
            Optional<String> apiJwtIssuer, Optional<Set<String>> apiJwtAudiences) {
        OidcSettings oidc = new OidcSettings(signIn.oidc(), issuer, clientId, clientSecret,
                config.oidc().operatorGroups().orElse(Set.of()), config.oidc().requireHttps(), apiJwtIssuer,
                apiJwtAudiences.orElse(Set.of()));
        return problems(config, sessionKey, config.requireSessionKey(), oidc);
    }

    static List<String> problems(OpsConfig config, Optional<String> sessionKey, boolean requireSessionKey,
            OidcSettings oidc) {
        List<String> problems = new ArrayList<>();
        if (oidc.enabled()) {
            problems.addAll(oidcProblems(oidc));
        } else if (config.users().isEmpty()) {
            problems.add("no dashboard account: set GATEWAY_OPS_USERS_<NAME>_PASSWORD_HASH to a bcrypt hash "
                    + "(print one with: java -cp <app classpath> dev.oauthgw.ops.signin.OpsPasswords '<password>'), "
                    + "or sign operators in with your identity provider (GATEWAY_OPS_OIDC_ENABLED=true)");
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

    private static List<String> oidcProblems(OidcSettings oidc) {
        List<String> problems = new ArrayList<>();
        Optional<String> issuer = oidc.issuer().filter(s -> !s.isBlank());
        if (issuer.isEmpty()) {
            problems.add("OIDC sign-in is on but GATEWAY_OPS_OIDC_ISSUER (the identity provider's issuer URL) is not set");
        } else if (oidc.requireHttps() && !issuer.get().startsWith("https://")) {
            problems.add("GATEWAY_OPS_OIDC_ISSUER must be an https URL");
        }
        if (oidc.clientId().filter(s -> !s.isBlank()).isEmpty()) {
            problems.add("OIDC sign-in is on but GATEWAY_OPS_OIDC_CLIENT_ID is not set");
        }
        if (oidc.clientSecret().filter(s -> !s.isBlank()).isEmpty()) {
            problems.add("OIDC sign-in is on but GATEWAY_OPS_OIDC_CLIENT_SECRET is not set");
        }
        if (issuer.isPresent() && oidc.apiJwtIssuer().map(OpsSecurityCheck::trimSlash).equals(issuer.map(OpsSecurityCheck::trimSlash))
                && oidc.clientId().filter(oidc.apiJwtAudiences()::contains).isPresent()) {
            problems.add("the dashboard's ID tokens would open the admin API: GATEWAY_JWT_ISSUER is the dashboard's identity "
                    + "provider and GATEWAY_JWT_AUDIENCE includes GATEWAY_OPS_OIDC_CLIENT_ID; give the APIs their own audience");
        }
        if (oidc.operatorGroups().isEmpty()) {
            problems.add("OIDC sign-in is on but GATEWAY_OPS_OIDC_OPERATOR_GROUPS (groups whose members are operators) "
                    + "is not set: nobody could operate the gateway");
        }
        return problems;
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
