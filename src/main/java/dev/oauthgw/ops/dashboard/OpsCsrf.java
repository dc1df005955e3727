package dev.oauthgw.ops.dashboard;

import dev.oauthgw.ops.OpsConfig;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.NewCookie;

/**
 * CSRF protection for the dashboard's forms (double-submit): every page gets a random token in an
 * {@code HttpOnly}, {@code SameSite=Strict} cookie scoped to {@code /ops}, and every form repeats it in a
 * hidden field. A POST whose field does not equal its cookie (compared in constant time) is refused.
 * Another site can neither read the cookie nor, with SameSite=Strict, make the browser send it.
 * <p>
 * As a second, independent check (a sibling subdomain can plant a cookie; a browser may not honour SameSite), a
 * form is refused when the browser says it was sent from elsewhere: {@code Sec-Fetch-Site} other than
 * {@code same-origin}, or else an {@code Origin} that is neither this host nor the gateway's public URL.
 * Requests with neither header (old browsers, scripts) rely on the token alone.
 */
@ApplicationScoped
public class OpsCsrf {

    public static final String COOKIE = "gw_ops_csrf";
    public static final String FIELD = "csrf";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A POST that failed the CSRF check. */
    public static class Rejected extends RuntimeException {
        public Rejected() {
            super("CSRF check failed", null, false, false);
        }
    }

    private final boolean secure;
    private final String publicAuthority;

    public OpsCsrf(OpsConfig config,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "gateway.onboarding.public-url") java.util.Optional<java.net.URI> publicUrl) {
        this.secure = config.secureCookies();
        this.publicAuthority = publicUrl.map(java.net.URI::getRawAuthority).orElse(null);
    }

    /**
     * False when the browser says this form was posted from another site: {@code Sec-Fetch-Site} present and not
     * {@code same-origin}; or, without it, an {@code Origin} ({@code null} included) whose host and port are
     * neither the request's {@code Host} nor the public URL's.
     */
    public boolean sameOrigin(String secFetchSite, String origin, String host) {
        return sameOrigin(secFetchSite, origin, host, publicAuthority);
    }

    static boolean sameOrigin(String secFetchSite, String origin, String host, String publicAuthority) {
        if (secFetchSite != null) {
            return "same-origin".equalsIgnoreCase(secFetchSite.strip());
        }
        if (origin == null) {
            return true;
        }
        String authority;
        try {
            authority = java.net.URI.create(origin.strip()).getRawAuthority();
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (authority == null) {
            return false; // "null": a sandboxed frame, a data: URL, a redirect across origins
        }
        return authority.equalsIgnoreCase(host == null ? "" : host.strip())
                || (publicAuthority != null && authority.equalsIgnoreCase(publicAuthority));
    }

    /** The browser's token when it has a well-formed one, else a new one (to be set with {@link #cookie}). */
    public String tokenFor(String cookieValue) {
        return wellFormed(cookieValue) ? cookieValue : fresh();
    }

    public boolean isNew(String cookieValue, String token) {
        return !token.equals(cookieValue);
    }

    public NewCookie cookie(String token) {
        return new NewCookie.Builder(COOKIE).value(token).path("/ops").httpOnly(true).secure(secure)
                .sameSite(NewCookie.SameSite.STRICT).build();
    }

    public void verify(String cookieValue, String field) {
        if (!wellFormed(cookieValue) || field == null || !MessageDigest.isEqual(
                cookieValue.getBytes(StandardCharsets.US_ASCII), field.getBytes(StandardCharsets.US_ASCII))) {
            throw new Rejected();
        }
    }

    private static boolean wellFormed(String v) {
        return v != null && v.matches("[A-Za-z0-9_-]{43}");
    }

    private static String fresh() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
