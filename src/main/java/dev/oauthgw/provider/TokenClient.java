package dev.oauthgw.provider;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.provider.ProviderConfig.Registration;
import dev.oauthgw.provider.ProviderException.Kind;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Calls a registration's token and revocation endpoints (code exchange, refresh, client credentials,
 * RFC 7009 revocation). The registration's {@link ProviderConfig.Dialect} supplies the {@link TokenDialect}
 * that builds each request with its client authentication; this class sends it with the registration's
 * timeouts, reads the answer ({@link ProviderAnswers}) and classifies failures into
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
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    public TokenClient(ObjectMapper json, Clock clock) {
        this.clock = clock;
        this.answers = new ProviderAnswers(json, clock);
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
        HttpResponse<String> response = send(provider, dialect(provider).refresh(provider, refreshToken),
                Endpoint.TOKEN);
        LOG.debugf("token endpoint of %s answered %d to refresh_token", provider.name(), response.statusCode());
        if (response.statusCode() / 100 != 2) {
            throw failure(provider, response, Endpoint.TOKEN);
        }
        answers.refreshToken(response.body()).ifPresent(rotated);
        return answers.token(provider, response.body(), sent);
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
        HttpResponse<String> response = send(provider, request, Endpoint.REVOCATION);
        LOG.debugf("revocation endpoint of %s answered %d", provider.name(), response.statusCode());
        if (response.statusCode() / 100 == 2) {
            return true;
        }
        throw failure(provider, response, Endpoint.REVOCATION);
    }

    private static TokenDialect dialect(RegisteredProvider provider) {
        return provider.registration().dialect().strategy();
    }

    private TokenResponse token(RegisteredProvider provider, String grantType, ProviderRequest request) {
        Instant sent = clock.instant();
        HttpResponse<String> response = send(provider, request, Endpoint.TOKEN);
        LOG.debugf("token endpoint of %s answered %d to %s", provider.name(), response.statusCode(), grantType);
        if (response.statusCode() / 100 == 2) {
            return answers.token(provider, response.body(), sent);
        }
        throw failure(provider, response, Endpoint.TOKEN);
    }

    private ProviderException failure(RegisteredProvider provider, HttpResponse<String> response, Endpoint endpoint) {
        return answers.failure(provider, endpoint.answered, response.statusCode(), response.body(),
                response.headers().firstValue("Retry-After"));
    }

    /** Sends the dialect's request with the registration's timeout; no answer at all is transient. */
    private HttpResponse<String> send(RegisteredProvider provider, ProviderRequest request, Endpoint endpoint) {
        Registration r = provider.registration();
        HttpRequest.Builder rb = HttpRequest.newBuilder(request.uri()).timeout(r.requestTimeout())
                .header("Accept", "application/json");
        request.headers().forEach(rb::header);
        rb.POST(HttpRequest.BodyPublishers.ofString(request.body()));
        try {
            return http(provider).send(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new ProviderException(Kind.TRANSIENT, 0, null, endpoint.unreachable + " of '" + provider.name()
                    + "' did not answer within " + r.requestTimeout(), null, e);
        } catch (IOException e) {
            throw new ProviderException(Kind.TRANSIENT, 0, null, endpoint.unreachable + " of '" + provider.name()
                    + "' could not be reached (" + e.getClass().getSimpleName() + ")", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(Kind.TRANSIENT, 0, null,
                    "Interrupted while calling the " + endpoint.interrupted, null, e);
        }
    }

    private HttpClient http(RegisteredProvider provider) {
        return clients.computeIfAbsent(provider.name(), n -> HttpClient.newBuilder()
                .connectTimeout(provider.registration().connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
    }

    /** Provider-sent text for logs and audit records: printable ASCII, at most 200 characters. */
    public static String sanitize(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7E]", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }
}
