package dev.oauthgw.events;

import java.util.Optional;

import dev.oauthgw.grant.GrantState;

/**
 * What a webhook tells the vendor about. The name is the payload's {@code type} and the
 * {@code X-Gateway-Event-Type} header; adding a value needs a migration (the table checks the type).
 */
public enum GrantEventType {
    /** A refresh failed transiently; the gateway keeps retrying with backoff. */
    REFRESH_FAILING,
    /** The provider refused the grant for good (e.g. invalid_grant): the partner must consent again. */
    REAUTH_REQUIRED,
    /** A grant that was failing or needed re-authorization is healthy again. */
    RECOVERED,
    /** An operator disconnected the partner. */
    REVOKED,
    /** Something that affects every partner (e.g. the provider is down, or refuses the vendor's client). */
    GLOBAL_INCIDENT,
    /** The global incident is over. */
    GLOBAL_INCIDENT_RESOLVED;

    /**
     * The event a grant state change announces, if any: {@code ACTIVE -> REFRESH_FAILING} is
     * {@link #REFRESH_FAILING}; anything {@code -> REAUTH_REQUIRED} is {@link #REAUTH_REQUIRED};
     * {@code REFRESH_FAILING | REAUTH_REQUIRED -> ACTIVE} is {@link #RECOVERED}; anything
     * {@code -> REVOKED} is {@link #REVOKED}. Onboarding ({@code PENDING -> ACTIVE}) and no-ops are not events.
     */
    public static Optional<GrantEventType> forTransition(GrantState from, GrantState to) {
        if (to == null || from == to) {
            return Optional.empty();
        }
        return switch (to) {
            case REFRESH_FAILING -> Optional.of(REFRESH_FAILING);
            case REAUTH_REQUIRED -> Optional.of(REAUTH_REQUIRED);
            case REVOKED -> Optional.of(REVOKED);
            case ACTIVE -> from == GrantState.REFRESH_FAILING || from == GrantState.REAUTH_REQUIRED
                    ? Optional.of(RECOVERED) : Optional.empty();
            case PENDING -> Optional.empty();
        };
    }
}
