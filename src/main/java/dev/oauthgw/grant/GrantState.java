package dev.oauthgw.grant;

/**
 * The life of a partner's grant: {@code PENDING -> ACTIVE -> REFRESH_FAILING -> ACTIVE | REAUTH_REQUIRED},
 * and {@code REVOKED} by an operator.
 */
public enum GrantState {
    PENDING,
    ACTIVE,
    REFRESH_FAILING,
    REAUTH_REQUIRED,
    REVOKED
}
