package dev.oauthgw.events;

/**
 * What a webhook tells the vendor about. The name is the payload's {@code type} and the
 * {@code X-Gateway-Event-Type} header; adding a value needs a migration (the table checks the type). Which
 * grant change announces which event is {@code grant.GrantChange}'s rule.
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
    GLOBAL_INCIDENT_RESOLVED
}
