package dev.oauthgw.http;

import java.io.IOException;
import java.time.Duration;

/**
 * An outbound call that ended without a whole answer, and which bound (if any) ended it. The message says so in
 * words fit for a log or an error body (for example "sent no response headers within PT10S (headers deadline)");
 * it never holds a URL, a header or a body, which may carry secrets. When a bound was hit the connection has been
 * closed (reset), so nothing more is read from it and no thread waits for it.
 */
public class OutboundFailure extends IOException {

    /** Why the call ended. */
    public enum Reason {
        /** No connection (from the pool, or new) within the connect deadline. */
        CONNECT_TIMEOUT(true),
        /** The connection could not be made: refused, unknown host, TLS handshake failed. */
        CONNECT_FAILED(false),
        /** No status line and headers within the headers deadline. */
        HEADERS_TIMEOUT(true),
        /** The body stopped: nothing arrived for the idle deadline. */
        IDLE_TIMEOUT(true),
        /** The whole answer did not arrive within the total deadline. */
        TOTAL_TIMEOUT(true),
        /** The body is longer than the size cap (announced by Content-Length, or counted as it came). */
        TOO_LARGE(true),
        /** The server closed or reset the connection before the answer was whole. */
        CONNECTION_LOST(false),
        /** The waiting thread was interrupted; the call was abandoned. */
        INTERRUPTED(false),
        /** The reader closed a streamed answer before its end; the connection was closed. */
        CANCELLED(false),
        /** The request could not be sent as given (for example a header value with a line break); nothing was sent. */
        INVALID_REQUEST(false);

        private final boolean bound;

        Reason(boolean bound) {
            this.bound = bound;
        }

        /** True when one of the {@link HttpBounds} ended the call (a deadline or the size cap). */
        public boolean isBound() {
            return bound;
        }
    }

    private final Reason reason;

    public OutboundFailure(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static OutboundFailure connectTimeout(Duration d, Throwable cause) {
        return new OutboundFailure(Reason.CONNECT_TIMEOUT, "could not be reached within " + d + " (connect deadline)",
                cause);
    }

    static OutboundFailure connectFailed(Throwable cause) {
        return new OutboundFailure(Reason.CONNECT_FAILED, "could not be reached (" + name(cause) + ")", cause);
    }

    static OutboundFailure headersTimeout(Duration d) {
        return new OutboundFailure(Reason.HEADERS_TIMEOUT,
                "sent no response headers within " + d + " (headers deadline); connection closed", null);
    }

    static OutboundFailure idleTimeout(Duration d) {
        return new OutboundFailure(Reason.IDLE_TIMEOUT,
                "stalled mid-answer: nothing arrived for " + d + " (idle deadline); connection closed", null);
    }

    static OutboundFailure totalTimeout(Duration d) {
        return new OutboundFailure(Reason.TOTAL_TIMEOUT,
                "did not finish its answer within " + d + " (total deadline); connection closed", null);
    }

    static OutboundFailure tooLarge(long max) {
        return new OutboundFailure(Reason.TOO_LARGE,
                "answered more than " + max + " bytes (size cap); connection closed", null);
    }

    static OutboundFailure lost(Throwable cause) {
        return new OutboundFailure(Reason.CONNECTION_LOST, "closed the connection before the answer was whole ("
                + name(cause) + ")", cause);
    }

    static OutboundFailure interrupted() {
        return new OutboundFailure(Reason.INTERRUPTED, "was abandoned: the waiting thread was interrupted", null);
    }

    static OutboundFailure cancelled() {
        return new OutboundFailure(Reason.CANCELLED, "was abandoned by its reader before the answer's end", null);
    }

    static OutboundFailure invalidRequest(Throwable cause) {
        // the cause is left out: its message may quote the header value, a token
        return new OutboundFailure(Reason.INVALID_REQUEST, "was not called: the request could not be sent as given ("
                + name(cause) + ")", null);
    }

    private static String name(Throwable t) {
        return t == null ? "no cause" : t.getClass().getSimpleName();
    }
}
