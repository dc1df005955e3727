package dev.oauthgw.provider;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed call to a provider, classified. {@link Kind#isPermanent()} tells the refresher to stop
 * calling the provider for the grant (or, for the client, for everything); transient failures are
 * retried with backoff. The message is safe to log and show: it never contains a token or secret.
 */
public class ProviderException extends RuntimeException {

    public enum Kind {
        /** invalid_grant: the code or refresh token is dead (expired, revoked, reused). */
        INVALID_GRANT(true),
        /** invalid_client / unauthorized_client: the vendor's own credentials are broken. */
        CLIENT_REJECTED(true),
        /** Another OAuth error (invalid_request, invalid_scope, access_denied, ...): will not heal by retrying. */
        REQUEST_REJECTED(true),
        /** Timeout, connection failure, 5xx, 429. */
        TRANSIENT(false),
        /** A 2xx answer that is not a usable token response. */
        MALFORMED_RESPONSE(false);

        private final boolean permanent;

        Kind(boolean permanent) {
            this.permanent = permanent;
        }

        public boolean isPermanent() {
            return permanent;
        }
    }

    private final Kind kind;
    private final int httpStatus;
    private final String error;
    private final Duration retryAfter;

    public ProviderException(Kind kind, int httpStatus, String error, String message, Duration retryAfter,
            Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.error = error;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status of the provider's answer, 0 when there was none (timeout, connection refused). */
    public int httpStatus() {
        return httpStatus;
    }

    /** The OAuth {@code error} code when the provider sent one. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
