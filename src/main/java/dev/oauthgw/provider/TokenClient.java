package dev.oauthgw.provider;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.provider.ProviderConfig.ClientAuth;
import dev.oauthgw.provider.ProviderConfig.Dialect;
import dev.oauthgw.provider.ProviderConfig.Registration;
import dev.oauthgw.provider.ProviderException.Kind;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Calls a registration's token endpoint in its dialect (code exchange, refresh, client credentials)
 * and classifies failures into {@link ProviderException.Kind}s. Logs never contain a token or secret.
 */
@ApplicationScoped
public class TokenClient {

    private static final Logger LOG = Logger.getLogger(TokenClient.class);

    private final ObjectMapper json;
    private final Clock clock;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    public TokenClient(ObjectMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    public TokenResponse exchangeCode(RegisteredProvider provider, String code, String codeVerifier) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("grant_type", "authorization_code");
        p.put("code", code);
        p.put("redirect_uri", provider.registration().redirectUri().toString());
        p.put("code_verifier", codeVerifier);
        return call(provider, p, provider.registration().dialect() == Dialect.PAX8);
    }

    public TokenResponse refresh(RegisteredProvider provider, String refreshToken) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("grant_type", "refresh_token");
        p.put("refresh_token", refreshToken);
        return call(provider, p, provider.registration().dialect() == Dialect.PAX8);
    }

    public TokenResponse clientCredentials(RegisteredProvider provider, String audience) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("grant_type", "client_credentials");
        p.put("audience", audience);
        return call(provider, p, false);
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
        Registration r = provider.registration();
        if (r.revocationUrl().isEmpty()) {
            return false;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("token", token);
        params.put("token_type_hint", tokenTypeHint);
        HttpRequest.Builder rb = HttpRequest.newBuilder(r.revocationUrl().get()).timeout(r.requestTimeout())
                .header("Accept", "application/json");
        authenticated(provider, rb, params);
        HttpResponse<String> response = send(provider, rb, "revocation");
        LOG.debugf("revocation endpoint of %s answered %d", provider.name(), response.statusCode());
        if (response.statusCode() / 100 == 2) {
            return true;
        }
        throw classify(provider, response, "Revocation endpoint");
    }

    /** Adds the body and the client authentication in the registration's dialect. */
    private void authenticated(RegisteredProvider provider, HttpRequest.Builder rb, Map<String, String> params) {
        Registration r = provider.registration();
        String secret = provider.clientSecret();
        if (r.dialect() == Dialect.PAX8) {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("client_id", r.clientId());
            body.put("client_secret", secret);
            body.putAll(params);
            rb.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(toJson(body)));
            return;
        }
        if (r.clientAuth() == ClientAuth.CLIENT_SECRET_BASIC) {
            String pair = form(r.clientId()) + ":" + form(secret);
            rb.header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        } else {
            params.put("client_id", r.clientId());
            params.put("client_secret", secret);
        }
        String body = params.entrySet().stream().map(e -> form(e.getKey()) + "=" + form(e.getValue()))
                .collect(Collectors.joining("&"));
        rb.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(RegisteredProvider provider, HttpRequest.Builder rb, String what) {
        Registration r = provider.registration();
        try {
            return http(provider).send(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new ProviderException(Kind.TRANSIENT, 0, null, "The " + what + " endpoint of '" + provider.name()
                    + "' did not answer within " + r.requestTimeout(), null, e);
        } catch (IOException e) {
            throw new ProviderException(Kind.TRANSIENT, 0, null, "The " + what + " endpoint of '" + provider.name()
                    + "' could not be reached (" + e.getClass().getSimpleName() + ")", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(Kind.TRANSIENT, 0, null, "Interrupted while calling the " + what + " endpoint",
                    null, e);
        }
    }

    private TokenResponse call(RegisteredProvider provider, Map<String, String> params, boolean addAudience) {
        Registration r = provider.registration();
        if (addAudience) {
            ProviderConfig.audienceOf(r).ifPresent(a -> params.put("audience", a));
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(r.tokenUrl())
                .timeout(r.requestTimeout())
                .header("Accept", "application/json");
        String secret = provider.clientSecret();
        if (r.dialect() == Dialect.PAX8) {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("grant_type", params.remove("grant_type"));
            body.put("client_id", r.clientId());
            body.put("client_secret", secret);
            body.putAll(params);
            rb.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(toJson(body)));
        } else {
            if (r.clientAuth() == ClientAuth.CLIENT_SECRET_BASIC) {
                String pair = form(r.clientId()) + ":" + form(secret);
                rb.header("Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            } else {
                params.put("client_id", r.clientId());
                params.put("client_secret", secret);
            }
            String body = params.entrySet().stream().map(e -> form(e.getKey()) + "=" + form(e.getValue()))
                    .collect(Collectors.joining("&"));
            rb.header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
        }
        String grantType = params.getOrDefault("grant_type", "?");
        Instant sent = clock.instant();
        HttpResponse<String> response;
        try {
            response = http(provider).send(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new ProviderException(Kind.TRANSIENT, 0, null,
                    "Token endpoint of '" + provider.name() + "' did not answer within " + r.requestTimeout(), null, e);
        } catch (IOException e) {
            throw new ProviderException(Kind.TRANSIENT, 0, null,
                    "Token endpoint of '" + provider.name() + "' could not be reached (" + e.getClass().getSimpleName()
                            + ")", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(Kind.TRANSIENT, 0, null, "Interrupted while calling the token endpoint", null,
                    e);
        }
        LOG.debugf("token endpoint of %s answered %d to %s", provider.name(), response.statusCode(), grantType);
        if (response.statusCode() / 100 == 2) {
            return parse(provider, response.body(), sent);
        }
        throw classify(provider, response);
    }

    private TokenResponse parse(RegisteredProvider provider, String body, Instant sent) {
        JsonNode n;
        try {
            n = json.readTree(body);
        } catch (IOException e) {
            throw malformed(provider, "a body that is not JSON");
        }
        String accessToken = text(n, "access_token");
        if (accessToken == null || accessToken.isBlank()) {
            throw malformed(provider, "no access_token");
        }
        String tokenType = Optional.ofNullable(text(n, "token_type")).orElse("Bearer");
        if (!"bearer".equalsIgnoreCase(tokenType)) {
            throw malformed(provider, "token_type " + sanitize(tokenType));
        }
        Instant expiresAt = null;
        if (n.hasNonNull("expires_in") && n.get("expires_in").canConvertToLong()) {
            expiresAt = sent.plusSeconds(n.get("expires_in").asLong());
        }
        String at = text(n, "expires_at");
        if (at != null) {
            Instant stated = parseInstant(at);
            if (stated != null && (expiresAt == null || stated.isBefore(expiresAt))) {
                expiresAt = stated;
            }
        }
        if (expiresAt == null) {
            throw malformed(provider, "neither expires_in nor expires_at");
        }
        Optional<Instant> refreshExpiresAt = Optional.empty();
        if (n.hasNonNull("refresh_token_expires_in") && n.get("refresh_token_expires_in").canConvertToLong()) {
            refreshExpiresAt = Optional.of(sent.plusSeconds(n.get("refresh_token_expires_in").asLong()));
        }
        String refresh = text(n, "refresh_token");
        return new TokenResponse(accessToken, Optional.ofNullable(refresh).filter(s -> !s.isBlank()), "Bearer",
                expiresAt, Optional.ofNullable(text(n, "scope")).orElse(provider.registration().scopes()),
                refreshExpiresAt);
    }

    private ProviderException classify(RegisteredProvider provider, HttpResponse<String> response) {
        return classify(provider, response, "Token endpoint");
    }

    private ProviderException classify(RegisteredProvider provider, HttpResponse<String> response, String endpoint) {
        int status = response.statusCode();
        String error = null;
        String description = null;
        try {
            JsonNode n = json.readTree(response.body());
            error = text(n, "error");
            description = text(n, "error_description");
        } catch (IOException | RuntimeException e) {
            // not an OAuth error body: classify by status
        }
        Duration retryAfter = response.headers().firstValue("Retry-After").map(this::retryAfter).orElse(null);
        Kind kind;
        if (status == 429 || status == 408 || status >= 500) {
            kind = Kind.TRANSIENT;
        } else if ("invalid_grant".equals(error)) {
            kind = Kind.INVALID_GRANT;
        } else if ("invalid_client".equals(error) || "unauthorized_client".equals(error)
                || (error == null && status == 401)) {
            kind = Kind.CLIENT_REJECTED;
        } else {
            kind = Kind.REQUEST_REJECTED;
        }
        String message = endpoint + " of '" + provider.name() + "' answered " + status
                + (error == null ? "" : " " + sanitize(error))
                + (description == null ? "" : ": " + sanitize(description));
        return new ProviderException(kind, status, error == null ? null : sanitize(error), message, retryAfter, null);
    }

    private Duration retryAfter(String value) {
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            try {
                Instant when = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(clock.instant(), when);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private ProviderException malformed(RegisteredProvider provider, String what) {
        return new ProviderException(Kind.MALFORMED_RESPONSE, 200, null,
                "Token endpoint of '" + provider.name() + "' answered 2xx with " + what, null, null);
    }

    private HttpClient http(RegisteredProvider provider) {
        return clients.computeIfAbsent(provider.name(), n -> HttpClient.newBuilder()
                .connectTimeout(provider.registration().connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
    }

    private String toJson(Map<String, String> body) {
        try {
            return json.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("Could not write a token request body", e);
        }
    }

    private static Instant parseInstant(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static String form(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Provider-sent text for logs and audit records: printable ASCII, at most 200 characters. */
    public static String sanitize(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7E]", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }
}
