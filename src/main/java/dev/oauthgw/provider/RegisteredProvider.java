package dev.oauthgw.provider;

import dev.oauthgw.provider.ProviderConfig.Registration;

/** A provider registration with its name and its (validated) client id and secret. Never prints the secret. */
public record RegisteredProvider(String name, Registration registration, String clientId, String clientSecret) {

    @Override
    public String toString() {
        return "RegisteredProvider[" + name + ", " + registration.dialect() + ", " + registration.tokenUrl() + "]";
    }
}
