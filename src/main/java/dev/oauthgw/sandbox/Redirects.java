package dev.oauthgw.sandbox;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** The redirect back to a client's registered redirect URI, as both sandbox authorization endpoints send it. */
public final class Redirects {

    private Redirects() {
    }

    /** Appends form-encoded parameters to the registered redirect URI ({@code ?} or {@code &}). */
    public static Response to(int status, String redirectUri, Map<String, String> params) {
        StringBuilder sb = new StringBuilder(redirectUri);
        char sep = redirectUri.contains("?") ? '&' : '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            sb.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        return Response.status(status).location(URI.create(sb.toString()))
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }
}
