package dev.oauthgw.provider;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.oauthgw.provider.ProviderConfig.Registration;

/**
 * The {@code rfc6749} dialect, for any standards-compliant OAuth 2.0 server: form-encoded bodies
 * ({@code application/x-www-form-urlencoded}, UTF-8) and client authentication as the registration's
 * {@code client-auth} says: {@code client-secret-basic} puts the credentials only in an HTTP Basic
 * Authorization header, form-urlencoded before Base64 (RFC 6749 §2.3.1); {@code client-secret-post}
 * appends {@code client_id} and {@code client_secret} to the body. No registration audience is sent
 * (client credentials carry the audience asked for).
 */
final class Rfc6749Dialect implements TokenDialect {

    static final String CONTENT_TYPE = "application/x-www-form-urlencoded";

    @Override
    public ProviderRequest authorizationCode(RegisteredProvider provider, String code, String codeVerifier) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("grant_type", "authorization_code");
        params.put("code", code);
        params.put("redirect_uri", provider.registration().redirectUri().toString());
        params.put("code_verifier", codeVerifier);
        return authenticated(provider, provider.registration().tokenUrl(), params);
    }

    @Override
    public ProviderRequest refresh(RegisteredProvider provider, String refreshToken) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("grant_type", "refresh_token");
        params.put("refresh_token", refreshToken);
        return authenticated(provider, provider.registration().tokenUrl(), params);
    }

    @Override
    public ProviderRequest clientCredentials(RegisteredProvider provider, String audience) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("grant_type", "client_credentials");
        params.put("audience", audience);
        return authenticated(provider, provider.registration().tokenUrl(), params);
    }

    @Override
    public ProviderRequest revocation(RegisteredProvider provider, String token, String tokenTypeHint) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("token", token);
        params.put("token_type_hint", tokenTypeHint);
        return authenticated(provider, TokenDialect.revocationUrl(provider), params);
    }

    /** Client authentication of this dialect, then the form body. */
    private static ProviderRequest authenticated(RegisteredProvider provider, URI endpoint, Map<String, String> params) {
        Registration r = provider.registration();
        Optional<String> authorization = Optional.empty();
        switch (r.clientAuth()) {
            case CLIENT_SECRET_BASIC -> authorization = Optional.of(basic(provider.clientId(), provider.clientSecret()));
            case CLIENT_SECRET_POST -> {
                params.put("client_id", provider.clientId());
                params.put("client_secret", provider.clientSecret());
            }
        }
        String body = params.entrySet().stream().map(e -> form(e.getKey()) + "=" + form(e.getValue()))
                .collect(Collectors.joining("&"));
        return ProviderRequest.post(endpoint, CONTENT_TYPE, body, authorization);
    }

    /** RFC 6749 §2.3.1: client id and secret are form-urlencoded, joined by a colon, then Base64-encoded. */
    static String basic(String clientId, String clientSecret) {
        String pair = form(clientId) + ":" + form(clientSecret);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    static String form(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "rfc6749";
    }
}
