package dev.oauthgw.grant;

import dev.oauthgw.provider.ProviderException;

/**
 * How a grant's last refresh attempt ended ({@code partner_grant.last_refresh_outcome}). The names of the
 * failures are the provider failure kinds, so the column reads the same as it always has.
 */
public enum RefreshOutcome {
    /** The provider answered with new tokens. */
    OK,
    /** invalid_grant: the refresh token is dead; the partner must consent again. */
    INVALID_GRANT,
    /** The provider rejects the vendor's own client credentials (a global incident, not this grant's fault). */
    CLIENT_REJECTED,
    /** Another OAuth error that will not heal by retrying. */
    REQUEST_REJECTED,
    /** Timeout, connection failure, 5xx or 429: retried with backoff. */
    TRANSIENT,
    /** A 2xx answer that is not a usable token response. */
    MALFORMED_RESPONSE,
    /**
     * The grant's refresh token cannot be decrypted with the keyring (its key left it): a key-management incident;
     * the grant is not retried until the key is back.
     */
    KEY_UNAVAILABLE,
    /** A refresh ended without storing the provider's answer (process died, commit failed). */
    ANSWER_LOST;

    public static RefreshOutcome of(ProviderException.Kind kind) {
        return switch (kind) {
            case INVALID_GRANT -> INVALID_GRANT;
            case CLIENT_REJECTED -> CLIENT_REJECTED;
            case REQUEST_REJECTED -> REQUEST_REJECTED;
            case TRANSIENT -> TRANSIENT;
            case MALFORMED_RESPONSE -> MALFORMED_RESPONSE;
        };
    }
}
