package dev.oauthgw.common;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one error type that services throw for a client-visible failure. {@link ProblemMapper} turns it
 * into {@code application/problem+json}. The detail is shown to the caller: never put a secret in it.
 */
public class GatewayException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final Duration retryAfter;
    private final Map<String, Object> extensions;

    public GatewayException(int status, String type, String title, String detail) {
        this(status, type, title, detail, null, Map.of(), null);
    }

    protected GatewayException(int status, String type, String title, String detail, Duration retryAfter,
            Map<String, Object> extensions, Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.type = type;
        this.title = title;
        this.retryAfter = retryAfter;
        this.extensions = Map.copyOf(extensions);
    }

    /** Any status, with a Retry-After (e.g. 429, 503). */
    public static GatewayException retryLater(int status, String type, String title, String detail,
            Duration retryAfter) {
        return new GatewayException(status, type, title, detail, retryAfter, Map.of(), null);
    }

    public static GatewayException badRequest(String detail) {
        return new GatewayException(400, "bad-request", "Bad request", detail);
    }

    public static GatewayException notFound(String detail) {
        return new GatewayException(404, "not-found", "Not found", detail);
    }

    public static GatewayException conflict(String type, String title, String detail, Map<String, Object> extensions) {
        return new GatewayException(409, type, title, detail, null, extensions, null);
    }

    public static GatewayException forbidden(String detail) {
        return new GatewayException(403, "forbidden", "Forbidden", detail);
    }

    public static GatewayException unavailable(String detail, Duration retryAfter) {
        return new GatewayException(503, "provider-unavailable", "Provider unavailable", detail, retryAfter,
                Map.of(), null);
    }

    public GatewayException with(String key, Object value) {
        Map<String, Object> ext = new LinkedHashMap<>(extensions);
        ext.put(key, value);
        return new GatewayException(status, type, title, getMessage(), retryAfter, ext, getCause());
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}
