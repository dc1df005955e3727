package dev.oauthgw.ops;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The operators' window: dashboard sign-in accounts, what "expiring soon" means, how long an operator's
 * action waits for a refresh in flight, and how often the metrics gauges read the database.
 */
@ConfigMapping(prefix = "gateway.ops")
public interface OpsConfig {

    /**
     * Built-in sign-in accounts: {@code gateway.ops.users.<name>.password-hash} (bcrypt, {@code $2a$...} /
     * {@code $2b$...}) and {@code .roles} (default {@code ops}). From the environment:
     * {@code GATEWAY_OPS_USERS_<NAME>_PASSWORD_HASH}. Prod refuses to start without one, or with the dev default.
     */
    Map<String, User> users();

    interface User {
        String passwordHash();

        @WithDefault("ops")
        Set<String> roles();
    }

    /** Sign-in with the vendor's identity provider (on when {@code GATEWAY_OPS_OIDC_ENABLED=true}; see ops.signin.OpsSignIn). */
    Oidc oidc();

    interface Oidc {
        /**
         * The ID-token claim that lists the person's groups: {@code groups} for Okta, Keycloak and Entra ID
         * (object ids there), a namespaced claim such as {@code https://vendor.example/groups} for Auth0.
         */
        @WithDefault("groups")
        String groupsClaim();

        /** Members of any of these groups are operators (role {@code ops}); required when OIDC sign-in is on. */
        Optional<Set<String>> operatorGroups();

        /** Named on the sign-in page. */
        @WithDefault("your company's identity provider")
        String providerName();

        /** Refuse an issuer that is not https (off in dev and test, whose sandbox identity provider is http). */
        @WithDefault("true")
        boolean requireHttps();
    }

    /** Refuse to start without a session encryption key of at least 32 characters (off in dev and test). */
    @WithDefault("true")
    boolean requireSessionKey();

    /** Mark the dashboard's cookies Secure (https only); off in dev and test, which run on http. */
    @WithDefault("true")
    boolean secureCookies();

    /** Allow the documented dev/test account (on in dev and test only; prod refuses it). */
    @WithDefault("false")
    boolean allowDevCredentials();

    /** A grant whose access token expires within this is "expiring soon" (a healthy grant is refreshed ~8 h ahead). */
    @WithDefault("PT6H")
    Duration expiringSoonWithin();

    /** How long an operator's force-refresh or disconnect waits for a refresh of the same grant in flight. */
    @WithDefault("PT20S")
    Duration lockWait();

    /** Lifetime of a re-authorization link created from the dashboard. */
    @WithDefault("P7D")
    Duration reauthLinkValidity();

    /**
     * When the provider's refresh tokens stop working however often they rotate (Auth0's absolute
     * lifetime): the partner must consent again this long after its last consent. Unset: only what the
     * provider says ({@code refresh_token_expires_in}).
     */
    Optional<Duration> consentLifetime();

    /** How long the grants-by-state and earliest-expiry gauges reuse one database read. */
    @WithDefault("PT15S")
    Duration metricsCacheTtl();

    /** How far back the grant page lists the callers that read its tokens. */
    @WithDefault("P7D")
    Duration readersWindow();
}
