package dev.oauthgw.http;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One outbound HTTP request. Headers and body may carry tokens and secrets: {@link #toString()} prints neither,
 * only the method, the host and the header names.
 *
 * @param body null or empty for none
 */
public record OutboundRequest(String method, URI uri, Map<String, List<String>> headers, byte[] body) {

    public OutboundRequest {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        headers = Collections.unmodifiableMap(copy);
    }

    /** A request with one value per header. */
    public static OutboundRequest of(String method, URI uri, Map<String, String> headers, byte[] body) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k, List.of(v)));
        return new OutboundRequest(method, uri, h, body);
    }

    @Override
    public String toString() {
        return "OutboundRequest[" + method + " " + uri.getScheme() + "://" + uri.getHost() + ", headers="
                + headers.keySet() + ", body=" + (body == null ? 0 : body.length) + " bytes]";
    }
}
