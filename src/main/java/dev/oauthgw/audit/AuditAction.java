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
    PROVIDER_INCIDENT_OPENED,
    PROVIDER_INCIDENT_RESOLVED,
    TOKEN_SERVED
}
