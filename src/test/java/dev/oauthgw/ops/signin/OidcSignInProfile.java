package dev.oauthgw.ops.signin;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The gateway with operators signing in at an identity provider (the sandbox's, {@code /sandbox/idp}): what
 * {@code GATEWAY_OPS_OIDC_ENABLED=true} does. Issuer, client and operator groups are the %test defaults of
 * application.properties.
 */
public class OidcSignInProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.oidc.tenant-enabled", "true");
    }
}
