package dev.oauthgw.provider;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.provider.ProviderException.Kind;

/**
 * What a provider endpoint answered, read the same way in every dialect: a 2xx token answer becomes a
 * {@link TokenResponse} (or {@link Kind#MALFORMED_RESPONSE}); any other status becomes a classified
 * {@link ProviderException}. Pure: no I/O, time from the clock it is given. Messages carry the provider's
 * sanitised error text, never a token or secret.
 */
final class ProviderAnswers {

    private final ObjectMapper json;
    private final Clock clock;

    ProviderAnswers(ObjectMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    /**
     * The {@code refresh_token} of a 2xx answer, read leniently (whatever else the answer holds): what must be
     * kept before anything else can fail.
     */
    Optional<String> refreshToken(String body) {
        try {
            return Optional.ofNullable(text(json.readTree(body), "refresh_token")).filter(s -> !s.isBlank());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * A 2xx answer of the token endpoint, validated before anything is stored (ADR 0019): tokens of RFC 6750
     * {@code b64token} characters and at most 16 KiB, {@code token_type} Bearer (required), and a lifetime within the
     * registration's {@code min-token-lifetime} and {@code max-token-lifetime}. {@code expires_at} (Pax8) and
     * {@code expires_in} both count, each must be within bounds, and the earlier one wins.
     *
     * @param sent when the request was sent ({@code expires_in} counts from then)
     */
    TokenResponse token(RegisteredProvider provider, String body, Instant sent) {
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
        checkToken(provider, "access_token", accessToken);
        String tokenType = text(n, "token_type");
        if (tokenType == null) {
            throw malformed(provider, "no token_type");
        }
        if (!"bearer".equalsIgnoreCase(tokenType)) {
            throw malformed(provider, "token_type " + TokenClient.sanitize(tokenType));
        }
        String refresh = text(n, "refresh_token");
        if (refresh != null && !refresh.isBlank()) {
            checkToken(provider, "refresh_token", refresh);
        }
        Duration min = provider.registration().minTokenLifetime();
        Duration max = provider.registration().maxTokenLifetime();
        Instant expiresAt = null;
        if (n.hasNonNull("expires_in") && n.get("expires_in").canConvertToLong()) {
            long seconds = n.get("expires_in").asLong();
            if (seconds < min.getSeconds() || seconds > max.getSeconds()) {
                throw malformed(provider, "expires_in out of range (" + seconds + " s; a token lifetime must be "
                        + "between " + min + " and " + max + ")");
            }
            expiresAt = plusSeconds(provider, sent, seconds, "expires_in");
        }
        String at = text(n, "expires_at");
        if (at != null) {
            Instant stated = parseInstant(at);
            if (stated != null) {
                Duration lifetime = Duration.between(sent, stated);
                if (lifetime.compareTo(min) < 0 || lifetime.compareTo(max) > 0) {
                    throw malformed(provider, "expires_at out of range (" + lifetime.getSeconds() + " s after the "
                            + "request; a token lifetime must be between " + min + " and " + max + ")");
                }
                if (expiresAt == null || stated.isBefore(expiresAt)) {
                    expiresAt = stated;
                }
            }
        }
        if (expiresAt == null) {
            throw malformed(provider, "neither expires_in nor expires_at");
        }
        Optional<Instant> refreshExpiresAt = Optional.empty();
        if (n.hasNonNull("refresh_token_expires_in") && n.get("refresh_token_expires_in").canConvertToLong()) {
            refreshExpiresAt = Optional.of(plusSeconds(provider, sent, n.get("refresh_token_expires_in").asLong(),
                    "refresh_token_expires_in"));
        }
        String scope = Optional.ofNullable(text(n, "scope")).orElse(provider.registration().scopes());
        if (scope.length() > TokenResponse.MAX_SCOPE_LENGTH) {
            throw malformed(provider, "a scope of " + scope.length() + " characters (at most "
                    + TokenResponse.MAX_SCOPE_LENGTH + " are kept)");
        }
        return new TokenResponse(accessToken, Optional.ofNullable(refresh).filter(s -> !s.isBlank()), "Bearer",
                expiresAt, scope, refreshExpiresAt);
    }

    /**
     * A non-2xx answer, classified by {@link #kind}.
     *
     * @param endpoint how the message names the endpoint, e.g. {@code Token endpoint}
     * @param retryAfter the {@code Retry-After} header, if any
     */
    ProviderException failure(RegisteredProvider provider, String endpoint, int status, String body,
            Optional<String> retryAfter) {
        String error = null;
        String description = null;
        try {
            JsonNode n = json.readTree(body);
            error = text(n, "error");
            description = text(n, "error_description");
        } catch (IOException | RuntimeException e) {
            // not an OAuth error body: classify by status
        }
        String message = endpoint + " of '" + provider.name() + "' answered " + status
                + (error == null ? "" : " " + TokenClient.sanitize(error))
                + (description == null ? "" : ": " + TokenClient.sanitize(description));
        return new ProviderException(kind(status, error), status, error == null ? null : TokenClient.sanitize(error),
                message, retryAfter.map(this::retryAfter).orElse(null), null);
    }

    /**
     * Failure classification: 408, 429 and 5xx are transient whatever the body says; otherwise
     * {@code invalid_grant} is a dead grant, {@code invalid_client}, {@code unauthorized_client} or a bare
     * 401 a rejected client, and any other error a rejected request (all three permanent).
     */
    static Kind kind(int status, String error) {
        if (status == 429 || status == 408 || status >= 500) {
            return Kind.TRANSIENT;
        } else if ("invalid_grant".equals(error)) {
            return Kind.INVALID_GRANT;
        } else if ("invalid_client".equals(error) || "unauthorized_client".equals(error)
                || (error == null && status == 401)) {
            return Kind.CLIENT_REJECTED;
        }
        return Kind.REQUEST_REJECTED;
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date (never negative); null when unreadable. */
    Duration retryAfter(String value) {
        try {
            return Duration.ofSeconds(Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Long.parseLong(value.trim()))));
        } catch (NumberFormatException e) {
            try {
                Instant when = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(clock.instant(), when);
                return d.isNegative() ? Duration.ZERO
                        : d.compareTo(Duration.ofSeconds(MAX_RETRY_AFTER_SECONDS)) > 0
                                ? Duration.ofSeconds(MAX_RETRY_AFTER_SECONDS) : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** {@code from + seconds}, or malformed when that is no date a database can hold (past the year 9999). */
    private static Instant plusSeconds(RegisteredProvider provider, Instant from, long seconds, String field) {
        try {
            Instant t = from.plusSeconds(seconds);
            if (t.isAfter(LATEST) || t.isBefore(EARLIEST)) {
                throw malformed(provider, field + " out of range (" + seconds + ")");
            }
            return t;
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw malformed(provider, field + " out of range (" + seconds + ")");
        }
    }

    /**
     * A token the gateway stores and sends as {@code Authorization: Bearer <token>} (or in a body): RFC 6750's
     * {@code b64token} characters, at most {@link #MAX_TOKEN_LENGTH}. A CR or LF would break the header the proxy
     * sets; the message never quotes the token.
     */
    private static void checkToken(RegisteredProvider provider, String field, String token) {
        String a = field.startsWith("a") ? "an " : "a ";
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw malformed(provider, a + field + " of " + token.length() + " characters (at most "
                    + MAX_TOKEN_LENGTH + ")");
        }
        if (!B64TOKEN.matcher(token).matches()) {
            throw malformed(provider, a + field + " with characters outside RFC 6750's b64token set");
        }
    }

    /** The longest access or refresh token kept (16 KiB). */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    /** RFC 6750 section 2.1: {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    /** A Retry-After beyond a day is taken as a day: a provider's typo must not park a grant for ever. */
    static final long MAX_RETRY_AFTER_SECONDS = 86_400;

    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

    private static ProviderException malformed(RegisteredProvider provider, String what) {
        return new ProviderException(Kind.MALFORMED_RESPONSE, 200, null,
                "Token endpoint of '" + provider.name() + "' answered 2xx with " + what, null, null);
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
}
