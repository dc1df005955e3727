package dev.oauthgw.ops.signin;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * How operators sign in to the dashboard: with the vendor's own identity provider (OIDC authorization code
 * flow, {@code GATEWAY_OPS_OIDC_ENABLED=true}) or, out of the box, with the built-in accounts of
 * {@code gateway.ops.users} (form). One of the two, never both: see docs/adr/0008-ops-oidc-sign-in.md.
 */
@ApplicationScoped
public class OpsSignIn {

    /** quarkus.http.auth.form.cookie-name */
    public static final String SESSION_COOKIE = "gw_ops_session";
    /** quarkus.oidc.authentication.cookie-name-prefix... : the OIDC session cookie of the dashboard. */
    public static final String OIDC_SESSION_COOKIE = "q_session";

    private final boolean oidc;

    public OpsSignIn(@ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "false") boolean oidc) {
        this.oidc = oidc;
    }

    /** True when the dashboard signs in through the vendor's identity provider. */
    public boolean oidc() {
        return oidc;
    }
}
