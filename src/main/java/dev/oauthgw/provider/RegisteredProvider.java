package dev.oauthgw.provider;

import java.time.Duration;

import dev.oauthgw.http.HttpBounds;
import dev.oauthgw.provider.ProviderConfig.Registration;

/** A provider registration with its name and its (validated) client id and secret. Never prints the secret. */
public record RegisteredProvider(String name, Registration registration, String clientId, String clientSecret) {

    /** The bounds of one call to the token or revocation endpoint (ADR 0019). */
    public HttpBounds bounds() {
        return ProviderConfig.boundsOf(registration);
    }

    /**
     * The longest one {@link TokenClient} call (exchange, refresh, client credentials, revocation) holds its thread:
     * the registration's total deadline ({@code request-timeout}) and a small grace. A caller that waits for a
     * refresh waits at most this plus its own storing time.
     */
    public Duration callBound() {
        return bounds().holdsAtMost();
    }

    @Override
    public String toString() {
        return "RegisteredProvider[" + name + ", " + registration.dialect() + ", " + registration.tokenUrl() + "]";
    }
}
