package dev.oauthgw.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Configuration of the sandbox Pax8 (dev and test profiles only; every value has a default or lives
 * under {@code %dev.}/{@code %test.} in application.properties, so the prod build sees empty maps).
 */
@ConfigMapping(prefix = "sandbox")
public interface SandboxConfig {

    /** Lifetime of access tokens; Pax8 hands out one-day tokens ({@code expires_in: 86400}). */
    @WithDefault("PT24H")
    Duration tokenLifetime();

    /** Lifetime of an authorization code. */
    @WithDefault("PT1M")
    Duration codeLifetime();

    /** Absolute lifetime of a refresh-token family, counted from the code exchange (Auth0: 30 days). */
    @WithDefault("P30D")
    Duration refreshTokenLifetime();

    /**
     * Auth0's reuse interval: for this long after a rotation the rotated refresh token may be presented
     * again without reuse detection. Zero by default.
     */
    @WithDefault("PT0S")
    Duration reuseInterval();

    /** How long a consent page (an authorization request waiting for Allow/Deny) stays usable. */
    @WithDefault("PT10M")
    Duration consentLifetime();

    /** The registered OAuth clients, by a free name. */
    Map<String, Client> clients();

    /** The sandbox partners a partner admin can pick on the consent page, by key. */
    Map<String, PartnerAccount> partners();

    /** The sandbox identity provider (an OIDC provider standing in for the vendor's own, for /ops sign-in). */
    Idp idp();

    interface Idp {
        /** Lifetime of the ID tokens it issues (the operator's dashboard session ends with it). */
        @WithDefault("PT1H")
        Duration idTokenLifetime();

        /** The one relying party it knows: the gateway's dashboard. */
        @WithDefault("gateway-ops")
        String clientId();

        @WithDefault("sandbox-idp-secret-not-for-production")
        String clientSecret();

        /** Redirect URIs and post-logout redirect URIs, matched exactly. */
        @WithDefault("http://localhost:8080/ops/oidc/callback,http://localhost:8081/ops/oidc/callback")
        List<String> redirectUris();

        @WithDefault("http://localhost:8080/ops/login?logout=true,http://localhost:8081/ops/login?logout=true")
        List<String> postLogoutRedirectUris();

        /** The people who can sign in, by a key: their email, name and groups. */
        Map<String, IdpUser> users();
    }

    interface IdpUser {
        String email();

        String name();

        Optional<List<String>> groups();
    }

    interface Client {
        String clientId();

        String clientSecret();

        /** Matched exactly, character for character (no normalisation, no prefix match). */
        List<String> redirectUris();

        /** {@code any} (Basic or body), {@code client_secret_post} or {@code client_secret_basic}. */
        @WithDefault("any")
        String tokenEndpointAuthMethod();

        /** The grant types this client may use; {@code unauthorized_client} for the others. */
        @WithDefault("authorization_code,refresh_token,client_credentials")
        List<String> grantTypes();

        /** Shown on the consent page; the client id when absent. */
        Optional<String> displayName();
    }

    interface PartnerAccount {
        String name();

        /** The partner's id at Pax8 (a UUID), put into delegated access tokens. */
        String pax8PartnerId();

        /** How many companies {@code GET /sandbox/v1/companies} serves for this partner. */
        @WithDefault("3")
        int companies();
    }
}
