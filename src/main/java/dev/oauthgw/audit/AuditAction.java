package dev.oauthgw.audit;

/** What an audit record says happened. */
public enum AuditAction {
    PARTNER_CREATED,
    LINK_CREATED,
    GRANT_CREATED,
    GRANT_REPLACED,
    ONBOARDING_FAILED,
    /** Written before 0.2 for state changes; every change now writes the record of its own kind with from/to. */
    GRANT_STATE_CHANGED,
    /** A refresh stored new tokens (from REFRESH_FAILING: the grant recovered). */
    GRANT_REFRESHED,
    REFRESH_ANSWER_LOST,
    /** A refresh ended before its answer was stored, but the new refresh token it carried was kept and adopted. */
    REFRESH_ANSWER_RECOVERED,
    /** A refresh attempt failed (every attempt, with the provider's reason, the attempt count and the next try). */
    REFRESH_FAILED,
    /** A grant whose refresh token could not be decrypted opens again (its key is back in the keyring): due at once. */
    REFRESH_KEY_RESTORED,
    PROVIDER_INCIDENT_OPENED,
    PROVIDER_INCIDENT_RESOLVED,
    /** An operator forced a refresh (ops). */
    GRANT_REFRESH_FORCED,
    /** An operator disconnected a partner: tokens revoked at the provider where it can, and deleted (ops). */
    GRANT_DISCONNECTED,
    /** A consent left the grant PENDING until an operator confirms its provider account (binding confirm-first). */
    GRANT_AWAITING_CONFIRMATION,
    /** An operator confirmed a PENDING grant's provider account: the partner is bound to it, the grant ACTIVE (ops). */
    GRANT_CONFIRMED,
    /** An operator rejected a PENDING grant's provider account: tokens revoked where possible and deleted (ops). */
    GRANT_REJECTED,
    /** An onboarding link was taken back: by an operator, or by a disconnect or a successful onboarding. */
    LINK_REVOKED,
    TOKEN_SERVED
}
