package dev.oauthgw.prod;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the prod profile refuses to start without, as environment variables: the one list that the packaged-jar
 * tests ({@link ProdConfig}), the deployment checks (dev.oauthgw.deploy: Kubernetes manifests, Compose) and the
 * README check share. OIDC sign-in and webhooks are optional and not in it.
 */
public final class ProdSettings {

    /** Required, each by this exact name. */
    public static final List<String> REQUIRED = List.of(
            "QUARKUS_DATASOURCE_JDBC_URL",
            "QUARKUS_DATASOURCE_USERNAME",
            "QUARKUS_DATASOURCE_PASSWORD",
            "GATEWAY_CRYPTO_KEYRING",
            "GATEWAY_ONBOARDING_LINK_SIGNING_KEY",
            "GATEWAY_ONBOARDING_PUBLIC_URL",
            "GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_ID",
            "GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET",
            "GATEWAY_JWT_ISSUER",
            "GATEWAY_JWT_PUBLIC_KEY_LOCATION",
            "GATEWAY_OPS_SESSION_KEY");

    /** At least one dashboard account is required (without OIDC sign-in): a variable of this form. */
    public static final Pattern OPS_ACCOUNT = Pattern.compile("GATEWAY_OPS_USERS_[A-Z0-9]+_PASSWORD_HASH");

    /** The required settings that are not secret (a ConfigMap may hold them); every other one is a secret. */
    public static final Set<String> NOT_SECRET = Set.of(
            "GATEWAY_ONBOARDING_PUBLIC_URL", "GATEWAY_JWT_ISSUER", "GATEWAY_JWT_PUBLIC_KEY_LOCATION");

    private ProdSettings() {
    }

    /** Whether {@code name} must come from a secret store: a required secret or a dashboard account's hash. */
    public static boolean isSecret(String name) {
        return (REQUIRED.contains(name) && !NOT_SECRET.contains(name)) || OPS_ACCOUNT.matcher(name).matches();
    }

    /** What {@code provided} (variable names) lacks of the prod requirements; empty when complete. */
    public static List<String> missing(Collection<String> provided) {
        List<String> missing = new ArrayList<>();
        for (String name : REQUIRED) {
            if (!provided.contains(name)) {
                missing.add(name);
            }
        }
        if (provided.stream().noneMatch(n -> OPS_ACCOUNT.matcher(n).matches())) {
            missing.add("a dashboard account GATEWAY_OPS_USERS_<NAME>_PASSWORD_HASH");
        }
        return missing;
    }
}
