package dev.oauthgw.proxy;

import java.util.Locale;
import java.util.Set;

/**
 * Which headers cross the proxy. Both directions are allow-lists: a header not named here is dropped, so hop-by-hop
 * headers (Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-*), the caller's credentials
 * (Authorization, Cookie, X-Api-Key, ...) and anything the provider sets that could carry a secret (Set-Cookie,
 * WWW-Authenticate, ...) never pass, whatever new header either side invents.
 */
public final class ProxyHeaders {

    /** The one header that says who answered: {@code gateway} or {@code provider}. */
    public static final String SOURCE = "Gateway-Proxy-Source";

    private static final Set<String> REQUEST = Set.of("accept", "accept-language", "content-type", "content-language",
            "if-none-match", "if-match", "if-modified-since", "if-unmodified-since", "prefer");

    private static final Set<String> RESPONSE = Set.of("content-type", "content-language", "cache-control", "etag",
            "last-modified", "expires", "vary", "link", "retry-after", "x-total-count");

    private ProxyHeaders() {
    }

    /** Whether the caller's header goes to the provider. */
    public static boolean forwardRequest(String name) {
        return REQUEST.contains(name.toLowerCase(Locale.ROOT));
    }

    /** Whether the provider's header goes back to the caller (paging, caching, rate-limit information). */
    public static boolean forwardResponse(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return RESPONSE.contains(n) || n.startsWith("x-ratelimit-") || n.startsWith("ratelimit");
    }
}
