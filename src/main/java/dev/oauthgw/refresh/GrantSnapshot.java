package dev.oauthgw.refresh;

import java.time.Instant;
import java.util.UUID;

import dev.oauthgw.grant.GrantState;

/** A grant's serving view after a read or a refresh. Holds a token: {@link #toString()} hides it. */
public record GrantSnapshot(UUID grantId, String partnerId, GrantState state, Instant stateSince, String accessToken,
        Instant accessExpiresAt, String scope, Long accessLifetimeSeconds) {

    /** How long the provider made the current access token live, when known. */
    public java.util.Optional<java.time.Duration> accessLifetime() {
        return accessLifetimeSeconds == null || accessLifetimeSeconds <= 0 ? java.util.Optional.empty()
                : java.util.Optional.of(java.time.Duration.ofSeconds(accessLifetimeSeconds));
    }

    @Override
    public String toString() {
        return "GrantSnapshot[" + partnerId + ", " + state + ", expiresAt=" + accessExpiresAt + "]";
    }
}
