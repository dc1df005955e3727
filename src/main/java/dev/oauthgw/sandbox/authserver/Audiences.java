package dev.oauthgw.sandbox.authserver;

import java.util.Map;

/** The audiences (APIs) the sandbox Pax8 issues tokens for. */
public final class Audiences {

    /** The partner API; delegated tokens are for it unless the request names another audience. */
    public static final String PARTNER_API = "https://api.pax8.com";
    public static final String PROVISIONING = "api://provisioning";
    public static final String USAGE = "api://usage";

    /** The scope a client_credentials token gets for each audience. */
    static final Map<String, String> CLIENT_CREDENTIALS_SCOPES = Map.of(
            PARTNER_API, "Manage:Pax8Data",
            PROVISIONING, "vendorSimulation:provisioning",
            USAGE, "vendorSimulation:usage");

    private Audiences() {
    }

    static boolean isKnown(String audience) {
        return CLIENT_CREDENTIALS_SCOPES.containsKey(audience);
    }
}
