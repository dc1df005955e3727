package dev.oauthgw.provider;

import java.net.URI;

/**
 * How one provider dialect writes its requests: the token requests of every grant type the gateway
 * uses, and RFC 7009 revocation, each with the client authentication of the dialect. A dialect builds
 * requests only; {@link TokenClient} sends them, reads the answers and classifies failures.
 *
 * <p>Each {@link ProviderConfig.Dialect} constant names its strategy, so a new dialect is a new class
 * implementing this interface plus one constant there.
 */
interface TokenDialect {

    /** Authorization-code grant (RFC 6749 §4.1.3) with the PKCE verifier and the registration's redirect URI. */
    ProviderRequest authorizationCode(RegisteredProvider provider, String code, String codeVerifier);

    /** Refresh-token grant (RFC 6749 §6). */
    ProviderRequest refresh(RegisteredProvider provider, String refreshToken);

    /** Client-credentials grant (RFC 6749 §4.4) for the given audience: the vendor's own token. */
    ProviderRequest clientCredentials(RegisteredProvider provider, String audience);

    /**
     * RFC 7009 revocation at the registration's {@code revocation-url}.
     *
     * @throws IllegalStateException when the registration has no revocation endpoint
     */
    ProviderRequest revocation(RegisteredProvider provider, String token, String tokenTypeHint);

    /** The revocation endpoint, which callers check for first. */
    static URI revocationUrl(RegisteredProvider provider) {
        return provider.registration().revocationUrl().orElseThrow(() -> new IllegalStateException(
                "Provider registration '" + provider.name() + "' has no revocation-url"));
    }
}
