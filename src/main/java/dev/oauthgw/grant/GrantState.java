package dev.oauthgw.grant;

/**
 * The life of a partner's grant: {@code PENDING -> ACTIVE -> REFRESH_FAILING -> ACTIVE | REAUTH_REQUIRED},
 * and {@code REVOKED} by an operator. Which changes are allowed, and what each one records and announces,
 * is {@link GrantChange}'s table; only {@link GrantLifecycle} assigns a grant's state.
 */
public enum GrantState {
    PENDING,
    ACTIVE,
    REFRESH_FAILING,
    REAUTH_REQUIRED,
    REVOKED;

    /** The refreshable states as an SQL list, the same text wherever it is used (partial indexes match it). */
    public static final String REFRESHABLE_SQL = "'ACTIVE', 'REFRESH_FAILING'";

    /** Whether a grant in this state may be refreshed (given it holds a refresh token). */
    public boolean refreshable() {
        return this == ACTIVE || this == REFRESH_FAILING;
    }
}
