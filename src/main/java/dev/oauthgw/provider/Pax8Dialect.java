package dev.oauthgw.provider;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The {@code pax8} dialect: every request is a JSON object ({@code application/json}) that carries the
 * client credentials as {@code client_id} and {@code client_secret} right after the {@code grant_type};
 * no Authorization header. Code exchange and refresh add the registration's {@code audience} (mandatory
 * at Pax8, left out when the registration says {@code none}); client credentials carry the audience
 * asked for. Pax8's answer may carry {@code expires_at}, which the dialect-neutral parsing honours.
 */
final class Pax8Dialect implements TokenDialect {

    static final String CONTENT_TYPE = "application/json";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public ProviderRequest authorizationCode(RegisteredProvider provider, String code, String codeVerifier) {
        Map<String, String> body = grant("authorization_code", provider);
        body.put("code", code);
        body.put("redirect_uri", provider.registration().redirectUri().toString());
        body.put("code_verifier", codeVerifier);
        ProviderConfig.audienceOf(provider.registration()).ifPresent(a -> body.put("audience", a));
        return json(provider.registration().tokenUrl(), body);
    }

    @Override
    public ProviderRequest refresh(RegisteredProvider provider, String refreshToken) {
        Map<String, String> body = grant("refresh_token", provider);
        body.put("refresh_token", refreshToken);
        ProviderConfig.audienceOf(provider.registration()).ifPresent(a -> body.put("audience", a));
        return json(provider.registration().tokenUrl(), body);
    }

    @Override
    public ProviderRequest clientCredentials(RegisteredProvider provider, String audience) {
        Map<String, String> body = grant("client_credentials", provider);
        body.put("audience", audience);
        return json(provider.registration().tokenUrl(), body);
    }

    @Override
    public ProviderRequest revocation(RegisteredProvider provider, String token, String tokenTypeHint) {
        Map<String, String> body = new LinkedHashMap<>();
        putClientCredentials(provider, body);
        body.put("token", token);
        body.put("token_type_hint", tokenTypeHint);
        return json(TokenDialect.revocationUrl(provider), body);
    }

    private static Map<String, String> grant(String grantType, RegisteredProvider provider) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", grantType);
        putClientCredentials(provider, body);
        return body;
    }

    /** Client authentication of this dialect: the credentials are members of the JSON body. */
    private static void putClientCredentials(RegisteredProvider provider, Map<String, String> body) {
        body.put("client_id", provider.clientId());
        body.put("client_secret", provider.clientSecret());
    }

    private static ProviderRequest json(URI endpoint, Map<String, String> body) {
        try {
            return ProviderRequest.post(endpoint, CONTENT_TYPE, JSON.writeValueAsString(body), Optional.empty());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not write a token request body", e);
        }
    }

    @Override
    public String toString() {
        return "pax8";
    }
}
