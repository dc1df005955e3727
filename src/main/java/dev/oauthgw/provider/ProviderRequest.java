package dev.oauthgw.provider;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One POST to a provider endpoint as a {@link TokenDialect} builds it: the endpoint, the headers that
 * belong to the dialect ({@code Content-Type}, and {@code Authorization} where the client authenticates
 * by HTTP Basic) and the body. {@link TokenClient} adds what is dialect-neutral (timeout, {@code Accept})
 * and sends it.
 *
 * <p>The body and the Authorization header carry the client secret and tokens: {@link #toString()}
 * prints neither.
 */
record ProviderRequest(URI uri, Map<String, String> headers, String body) {

    static final String CONTENT_TYPE = "Content-Type";
    static final String AUTHORIZATION = "Authorization";

    ProviderRequest {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A POST with the given content type, body and, where present, Authorization header. */
    static ProviderRequest post(URI uri, String contentType, String body, Optional<String> authorization) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(CONTENT_TYPE, contentType);
        authorization.ifPresent(a -> headers.put(AUTHORIZATION, a));
        return new ProviderRequest(uri, headers, body);
    }

    String contentType() {
        return headers.get(CONTENT_TYPE);
    }

    Optional<String> authorization() {
        return Optional.ofNullable(headers.get(AUTHORIZATION));
    }

    @Override
    public String toString() {
        return "ProviderRequest[POST " + uri + ", " + CONTENT_TYPE + "=" + contentType() + ", headers="
                + headers.keySet() + ", body=" + body.length() + " chars]";
    }
}
