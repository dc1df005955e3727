package dev.oauthgw.proxy;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds the provider URL of a proxied call from the registration's base URL and the path and query the caller
 * sent, as raw (still percent-encoded) text. The target is built, never taken from the caller: only a path under the
 * base is reachable. Refused (with the reason, never forwarded): traversal ({@code ..}, {@code .}, encoded dots),
 * encoded slashes and backslashes ({@code %2F}, {@code %5C}), double-encoding ({@code %25}), {@code //}, {@code @},
 * backslashes, NUL and control characters, anything outside RFC 3986's path characters, and broken percent-encoding.
 */
public final class ProxyTarget {

    /** The longest path and query accepted (Pax8's URLs are short). */
    static final int MAX_LENGTH = 2048;

    /** Why a target was refused: the caller sees the message. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private ProxyTarget() {
    }

    /**
     * @param base     the registration's API base, e.g. {@code https://api.pax8.com} (may have a path of its own)
     * @param rawPath  the caller's path below {@code /proxy/{partnerId}}, starting with {@code /}, as sent
     * @param rawQuery the caller's query string as sent (without {@code ?}), or null
     */
    public static URI build(URI base, String rawPath, String rawQuery) {
        checkPath(rawPath);
        Optional<String> query = Optional.ofNullable(rawQuery).filter(q -> !q.isEmpty());
        query.ifPresent(ProxyTarget::checkQuery);
        String b = base.toString();
        if (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        URI target;
        try {
            target = new URI(b + rawPath + query.map(q -> "?" + q).orElse(""));
        } catch (java.net.URISyntaxException e) {
            throw new Refused("The path is not a valid URL path.");
        }
        // belt and braces: whatever the checks above missed, the result must still be the base's host, under its path
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        if (!base.getScheme().equalsIgnoreCase(target.getScheme()) || target.getRawAuthority() == null
                || !target.getRawAuthority().equalsIgnoreCase(base.getRawAuthority())
                || target.getRawUserInfo() != null || target.getRawFragment() != null
                || !target.getRawPath().startsWith(basePath.endsWith("/") ? basePath : basePath + "/")
                || !target.normalize().getRawPath().equals(target.getRawPath())) {
            throw new Refused("The path does not stay under the provider's API.");
        }
        return target;
    }

    static void checkPath(String p) {
        if (p == null || p.length() < 2 || p.charAt(0) != '/') {
            throw new Refused("A path under the provider's API is required, e.g. /v1/companies.");
        }
        if (p.length() > MAX_LENGTH) {
            throw new Refused("The path is too long.");
        }
        if (p.contains("//")) {
            throw new Refused("The path must not contain an empty segment ('//').");
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '%') {
                checkEscape(p, i, true);
                i += 2;
            } else if (c == '\\') {
                throw new Refused("The path must not contain a backslash.");
            } else if (c == '@') {
                throw new Refused("The path must not contain '@'.");
            } else if (!pathChar(c) && c != '/') {
                throw new Refused("The path contains a character that is not allowed in a URL path (code "
                        + (int) c + "); percent-encode it.");
            }
        }
        for (String segment : p.substring(1).split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new Refused("The path must not contain '.' or '..' segments.");
            }
        }
    }

    static void checkQuery(String q) {
        if (q.length() > MAX_LENGTH) {
            throw new Refused("The query string is too long.");
        }
        for (int i = 0; i < q.length(); i++) {
            char c = q.charAt(i);
            if (c == '%') {
                checkEscape(q, i, false);
                i += 2;
            } else if (c == '\\') {
                throw new Refused("The query string must not contain a backslash.");
            } else if (!pathChar(c) && c != '/' && c != '?' && c != '@') {
                throw new Refused("The query string contains a character that is not allowed in a URL (code "
                        + (int) c + "); percent-encode it.");
            }
        }
    }

    /** A percent-escape must be two hex digits; some escapes are refused where they could change the target. */
    private static void checkEscape(String s, int i, boolean inPath) {
        if (i + 2 >= s.length()) {
            throw new Refused("Broken percent-encoding.");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
            throw new Refused("Broken percent-encoding.");
        }
        int v = hi * 16 + lo;
        if (v < 0x20 || v == 0x7f) {
            throw new Refused("Encoded control characters (NUL and the like) are not allowed.");
        }
        if (inPath) {
            switch (v) {
                case '/' -> throw new Refused("Encoded slashes (%2F) are not allowed in the path.");
                case '\\' -> throw new Refused("Encoded backslashes (%5C) are not allowed in the path.");
                case '.' -> throw new Refused("Encoded dots (%2E) are not allowed in the path.");
                case '%' -> throw new Refused("Double encoding (%25) is not allowed in the path.");
                case '@' -> throw new Refused("Encoded '@' is not allowed in the path.");
                default -> {
                }
            }
        }
    }

    /** RFC 3986 pchar without '%' and '@': unreserved, sub-delims and ':'. */
    private static boolean pathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:".indexOf(c) >= 0;
    }

    /**
     * The path with its variable parts collapsed, for the audit and nothing else: numbers, UUIDs and other
     * id-like segments (long, or mixing letters and digits) become {@code {id}}; e.g. {@code /v1/companies/{id}}.
     */
    public static String template(String rawPath) {
        StringBuilder out = new StringBuilder();
        for (String segment : rawPath.substring(1).split("/", -1)) {
            out.append('/');
            out.append(idLike(segment) ? "{id}" : segment.toLowerCase(Locale.ROOT));
            if (out.length() > 200) {
                out.append("/...");
                break;
            }
        }
        return out.toString();
    }

    static boolean idLike(String s) {
        if (s.isEmpty()) {
            return false;
        }
        if (s.indexOf('%') >= 0 || s.length() > 24) {
            return true;
        }
        boolean digit = false;
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                digit = true;
            }
        }
        // version segments like v1, v2 stay; anything else with a digit is an id
        return digit && !s.matches("v\\d{1,2}");
    }
}
