package dev.oauthgw.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;

/** Reading addresses in tests. */
public final class Urls {

    private Urls() {
    }

    /**
     * The application's public base URL in @QuarkusTest runs, without a trailing slash:
     * {@code gateway.onboarding.public-url}, {@code http://localhost:<the free port the test server binds>}.
     */
    public static String publicUrl() {
        return ConfigProvider.getConfig().getValue("gateway.onboarding.public-url", String.class).replaceAll("/+$", "");
    }

    /** The query parameters of a URL or redirect Location, decoded, in order (empty when it has none). */
    public static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        int start = url.indexOf('?');
        if (start < 0 || start == url.length() - 1) {
            return out;
        }
        int end = url.indexOf('#', start);
        for (String pair : url.substring(start + 1, end < 0 ? url.length() : end).split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return out;
    }
}
