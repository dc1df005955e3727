package dev.oauthgw.provider;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.http.BoundedHttpClient;
import dev.oauthgw.http.OutboundAnswer;
import dev.oauthgw.http.OutboundFailure;
import dev.oauthgw.http.OutboundRequest;
import dev.oauthgw.provider.ProviderException.Kind;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Calls a registration's token and revocation endpoints (code exchange, refresh, client credentials,
 * RFC 7009 revocation). The registration's {@link ProviderConfig.Dialect} supplies the {@link TokenDialect}
 * that builds each request with its client authentication; this class sends it within the registration's
 * bounds ({@link BoundedHttpClient}: connect, headers, idle and total deadlines, size cap), reads the answer ({@link ProviderAnswers}) and classifies failures into
 * {@link ProviderException.Kind}s. Logs never contain a token or secret.
 */
@ApplicationScoped
public class TokenClient {

    private static final Logger LOG = Logger.getLogger(TokenClient.class);

    /** How messages name an endpoint (the wording differs between the two, as it always has). */
    private enum Endpoint {
        TOKEN("Token endpoint", "Token endpoint", "token endpoint"),
        REVOCATION("Revocation endpoint", "The revocation endpoint", "revocation endpoint");

        final String answered;
        final String unreachable;
        final String interrupted;

        Endpoint(String answered, String unreachable, String interrupted) {
            this.answered = answered;
            this.unreachable = unreachable;
            this.interrupted = interrupted;
        }
    }

    private final Clock clock;
    private final ProviderAnswers answers;
    private final BoundedHttpClient http;

    public TokenClient(ObjectMapper json, Clock clock, BoundedHttpClient http) {
        this.clock = clock;
        this.answers = new ProviderAnswers(json, clock);
        this.http = http;
    }

    public TokenResponse exchangeCode(RegisteredProvider provider, String code, String codeVerifier) {
        return token(provider, "authorization_code", dialect(provider).authorizationCode(provider, code, codeVerifier));
    }

    public TokenResponse refresh(RegisteredProvider provider, String refreshToken) {
        return refresh(provider, refreshToken, rotated -> {
        });
    }

    /**
     * A refresh that hands the provider's new refresh token to {@code rotated} the moment a 2xx answer is read,
     * before the rest of the answer is checked: with rotation, that token is the only valid one, so the caller
     * can keep it even when the answer turns out unusable ({@link Kind#MALFORMED_RESPONSE}).
     */
    public TokenResponse refresh(RegisteredProvider provider, String refreshToken, Consumer<String> rotated) {
        Instant sent = clock.instant();
        OutboundAnswer response = send(provider, dialect(provider).refresh(provider, refreshToken),
                Endpoint.TOKEN);
        LOG.debugf("token endpoint of %s answered %d to refresh_token", provider.name(), response.status());
        if (response.status() / 100 != 2) {
            throw failure(provider, response, Endpoint.TOKEN);
        }
        answers.refreshToken(response.text()).ifPresent(rotated);
        return answers.token(provider, response.text(), sent);
    }

    /** The vendor's own token for an audience (client-credentials grant). */
    public TokenResponse clientCredentials(RegisteredProvider provider, String audience) {
        return token(provider, "client_credentials", dialect(provider).clientCredentials(provider, audience));
    }

    /**
     * RFC 7009 token revocation at the registration's {@code revocation-url}, with the client
     * authentication of its dialect ({@code pax8}: JSON body with the client credentials; {@code rfc6749}:
     * form body, HTTP Basic or body credentials).
     *
     * @return false when the registration has no revocation endpoint (nothing was sent)
     * @throws ProviderException when the endpoint refused or could not be reached
     */
    public boolean revoke(RegisteredProvider provider, String token, String tokenTypeHint) {
        if (provider.registration().revocationUrl().isEmpty()) {
            return false;
        }
        ProviderRequest request = dialect(provider).revocation(provider, token, tokenTypeHint);
        OutboundAnswer response = send(provider, request, Endpoint.REVOCATION);
        LOG.debugf("revocation endpoint of %s answered %d", provider.name(), response.status());
        if (response.status() / 100 == 2) {
            return true;
        }
        throw failure(provider, response, Endpoint.REVOCATION);
    }

    private static TokenDialect dialect(RegisteredProvider provider) {
        return provider.registration().dialect().strategy();
    }

    private TokenResponse token(RegisteredProvider provider, String grantType, ProviderRequest request) {
        Instant sent = clock.instant();
        OutboundAnswer response = send(provider, request, Endpoint.TOKEN);
        LOG.debugf("token endpoint of %s answered %d to %s", provider.name(), response.status(), grantType);
        if (response.status() / 100 == 2) {
            return answers.token(provider, response.text(), sent);
        }
        throw failure(provider, response, Endpoint.TOKEN);
    }

    private ProviderException failure(RegisteredProvider provider, OutboundAnswer response, Endpoint endpoint) {
        return answers.failure(provider, endpoint.answered, response.status(), response.text(),
                response.header("Retry-After"));
    }

    /**
     * Sends the dialect's request within the registration's bounds (ADR 0019). No whole answer (no connection, a
     * deadline passed, the answer over the size cap) is transient; the message names the bound, never a token.
     */
    private OutboundAnswer send(RegisteredProvider provider, ProviderRequest request, Endpoint endpoint) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        headers.putAll(request.headers());
        try {
            return http.call(OutboundRequest.of("POST", request.uri(), headers,
                    request.body().getBytes(StandardCharsets.UTF_8)), provider.bounds());
        } catch (OutboundFailure e) {
            if (e.reason() == OutboundFailure.Reason.INTERRUPTED) {
                throw new ProviderException(Kind.TRANSIENT, 0, null,
                        "Interrupted while calling the " + endpoint.interrupted, null, e);
            }
            throw new ProviderException(Kind.TRANSIENT, 0, null, endpoint.unreachable + " of '" + provider.name()
                    + "' " + e.getMessage(), null, e);
        }
    }

    /** Provider-sent text for logs and audit records: printable ASCII, at most 200 characters. */
    public static String sanitize(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7E]", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }
}
