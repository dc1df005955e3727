package dev.oauthgw.audit;

import java.util.UUID;

import org.jboss.logging.MDC;

/** The request id of the current request (X-Request-Id or a fresh one), kept in the logging MDC. */
public final class RequestIds {

    public static final String MDC_KEY = "request_id";

    private RequestIds() {
    }

    public static String current() {
        Object v = MDC.get(MDC_KEY);
        return v == null ? null : v.toString();
    }

    static String fresh() {
        return UUID.randomUUID().toString();
    }
}
