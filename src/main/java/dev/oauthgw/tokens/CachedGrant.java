package dev.oauthgw.tokens;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.grant.GrantState;

/**
 * What GET /tokens needs of a partner's grant, as the database holds it: the access token stays sealed (plaintext
 * exists only inside a request). This is what {@link TokenCache} keeps per partner.
 *
 * @param accessToken null when the grant holds none (disconnected, rejected)
 * @param version     {@code partner_grant.version}: moves on with every change to any of these fields (V14)
 */
public record CachedGrant(UUID grantId, String partnerId, GrantState state, Instant stateSince, Sealed accessToken,
        Instant accessExpiresAt, String scope, Long accessLifetimeSeconds, long version) {

    /** How long the provider made the current access token live, when known. */
    public Optional<Duration> accessLifetime() {
        return accessLifetimeSeconds == null || accessLifetimeSeconds <= 0 ? Optional.empty()
                : Optional.of(Duration.ofSeconds(accessLifetimeSeconds));
    }

    @Override
    public String toString() {
        return "CachedGrant[" + partnerId + ", " + state + ", expiresAt=" + accessExpiresAt + ", version=" + version
                + "]";
    }
}
