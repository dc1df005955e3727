package dev.oauthgw.audit;

/** What an audit record says happened. */
public enum AuditAction {
    PARTNER_CREATED,
    LINK_CREATED,
    GRANT_CREATED,
    GRANT_REPLACED,
    ONBOARDING_FAILED,
    GRANT_STATE_CHANGED,
    REFRESH_ANSWER_LOST,
    /** A refresh attempt failed (every attempt, with the provider's reason, the attempt count and the next try). */
    REFRESH_FAILED,
    PROVIDER_INCIDENT_OPENED,
    PROVIDER_INCIDENT_RESOLVED,
    /** An operator forced a refresh (ops). */
    GRANT_REFRESH_FORCED,
    /** An operator disconnected a partner: tokens revoked at the provider where it can, and deleted (ops). */
    GRANT_DISCONNECTED,
    TOKEN_SERVED
}
