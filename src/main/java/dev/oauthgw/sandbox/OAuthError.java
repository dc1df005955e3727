package dev.oauthgw.sandbox;

/**
 * An OAuth error answer of the sandbox: RFC 6749 §5.2 {@code {error, error_description}} with its HTTP
 * status. The description is written for humans and never carries a token, a code or a secret.
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

    @Override
    public String toString() {
        return "OAuthError[" + status + " " + error + ": " + getMessage() + "]";
    }
}
