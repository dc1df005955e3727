package dev.oauthgw.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * An OAuth error answer of the sandbox's token endpoints (the Pax8 stand-in's and the identity provider's):
 * RFC 6749 §5.2 {@code {error, error_description}} with its HTTP status. The description is written for
 * humans and never carries a token, a code or a secret.
 */
public final class OAuthError extends RuntimeException {

    private final int status;
    private final String error;
    private final boolean basicChallenge;
    private final Integer retryAfterSeconds;

    private OAuthError(int status, String error, String description, boolean basicChallenge,
            Integer retryAfterSeconds) {
        super(description, null, false, false); // no stack trace: this is an answer, not a failure
        this.status = status;
        this.error = error;
        this.basicChallenge = basicChallenge;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static OAuthError invalidRequest(String description) {
        return new OAuthError(400, "invalid_request", description, false, null);
    }

    /** 401; {@code basicChallenge} adds {@code WWW-Authenticate: Basic realm="sandbox"} (RFC 6749 §5.2). */
    public static OAuthError invalidClient(String description, boolean basicChallenge) {
        return new OAuthError(401, "invalid_client", description, basicChallenge, null);
    }

    /** 403, as Auth0 answers (RFC 6749 says 400). */
    public static OAuthError invalidGrant(String description) {
        return new OAuthError(403, "invalid_grant", description, false, null);
    }

    public static OAuthError unauthorizedClient(String description) {
        return new OAuthError(403, "unauthorized_client", description, false, null);
    }

    public static OAuthError unsupportedGrantType(String description) {
        return new OAuthError(400, "unsupported_grant_type", description, false, null);
    }

    public static OAuthError invalidScope(String description) {
        return new OAuthError(400, "invalid_scope", description, false, null);
    }

    public static OAuthError accessDenied(String description) {
        return new OAuthError(403, "access_denied", description, false, null);
    }

    public static OAuthError serverError(int status, String description) {
        return new OAuthError(status, "server_error", description, false, null);
    }

    public static OAuthError tooManyRequests(int retryAfterSeconds) {
        return new OAuthError(429, "too_many_requests", "Global limit has been reached", false, retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String description() {
        return getMessage();
    }

    public boolean basicChallenge() {
        return basicChallenge;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The HTTP answer: the JSON error object, never cached, with the challenge and Retry-After it calls for. */
    public Response response() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("error", error);
        json.put("error_description", description());
        Response.ResponseBuilder r = Response.status(status).entity(json).type(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, "no-store").header("Pragma", "no-cache");
        if (basicChallenge) {
            r.header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"sandbox\"");
        }
        if (retryAfterSeconds != null) {
            r.header(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        }
        return r.build();
    }

    @Override
    public String toString() {
        return "OAuthError[" + status + " " + error + ": " + getMessage() + "]";
    }
}
