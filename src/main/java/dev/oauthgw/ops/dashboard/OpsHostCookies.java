package dev.oauthgw.ops.dashboard;

import dev.oauthgw.ops.OpsConfig;
import dev.oauthgw.ops.signin.OpsSignIn;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Gives the dashboard's cookies (the session {@value OpsSignIn#SESSION_COOKIE} and the CSRF cookie
 * {@value OpsCsrf#COOKIE}) the {@code __Host-} prefix in the browser when cookies are Secure
 * ({@code gateway.ops.secure-cookies}, on in prod): the browser then accepts them only with {@code Secure},
 * {@code Path=/} and no {@code Domain}, so no sibling subdomain and no plain-http page can set or overwrite them
 * (a planted CSRF cookie would defeat the double submit). On plain-http dev and tests the prefix cannot be used
 * (it needs Secure) and the names stay as they are.
 * <p>
 * The application keeps using the plain names: this filter, which runs before authentication, translates at the
 * edge. Incoming, it passes on {@code __Host-<name>} as {@code <name>} and drops a plain {@code <name>} a browser
 * sends (anyone could have set that one); outgoing, it renames {@code <name>} to {@code __Host-<name>}, with
 * {@code Secure} and {@code Path=/} (Quarkus marks its session cookie Secure only when the request itself came
 * over TLS, which behind a TLS-terminating proxy it did not).
 */
@Singleton
public class OpsHostCookies {

    static final String PREFIX = "__Host-";
    static final Set<String> NAMES = Set.of(OpsSignIn.SESSION_COOKIE, OpsCsrf.COOKIE);

    private final boolean on;

    public OpsHostCookies(OpsConfig config) {
        this.on = config.secureCookies();
    }

    /** Before the authentication handler (filter priority 200). */
    void register(@Observes Filters filters) {
        if (on) {
            filters.register(this::translate, 400);
        }
    }

    void translate(RoutingContext rc) {
        if (on) {
            String cookie = rc.request().getHeader("Cookie");
            if (cookie != null) {
                rc.request().headers().set("Cookie", incoming(cookie));
            }
            rc.addHeadersEndHandler(v -> outgoing(rc));
        }
        rc.next();
    }

    /** The Cookie header as the application should see it. */
    static String incoming(String header) {
        List<String> kept = new ArrayList<>();
        for (String part : header.split(";")) {
            String p = part.strip();
            int eq = p.indexOf('=');
            String name = eq < 0 ? p : p.substring(0, eq);
            if (NAMES.contains(name)) {
                continue; // not prefixed: not ours
            }
            if (name.startsWith(PREFIX) && NAMES.contains(name.substring(PREFIX.length()))) {
                p = p.substring(PREFIX.length());
            }
            if (!p.isEmpty()) {
                kept.add(p);
            }
        }
        return String.join("; ", kept);
    }

    /** One Set-Cookie header value as the browser should see it. */
    static String outgoingHeader(String setCookie) {
        int eq = setCookie.indexOf('=');
        if (eq < 0 || !NAMES.contains(setCookie.substring(0, eq).strip())) {
            return setCookie;
        }
        List<String> attrs = new ArrayList<>();
        String[] parts = setCookie.split(";");
        attrs.add(PREFIX + parts[0].strip());
        for (int i = 1; i < parts.length; i++) {
            String a = parts[i].strip();
            String lower = a.toLowerCase(Locale.ROOT);
            if (lower.startsWith("path=") || lower.startsWith("domain=") || lower.equals("secure") || a.isEmpty()) {
                continue;
            }
            attrs.add(a);
        }
        attrs.add("Path=/");
        attrs.add("Secure");
        return String.join("; ", attrs);
    }

    private static void outgoing(RoutingContext rc) {
        // cookies set as headers (Quarkus REST's NewCookie)
        List<String> headers = rc.response().headers().getAll("Set-Cookie");
        if (!headers.isEmpty()) {
            List<String> renamed = headers.stream().map(OpsHostCookies::outgoingHeader).toList();
            rc.response().headers().remove("Set-Cookie");
            renamed.forEach(h -> rc.response().headers().add("Set-Cookie", h));
        }
        // cookies in Vert.x's jar (Quarkus form authentication's session cookie), written after this handler
        for (String name : NAMES) {
            Cookie c = rc.response().removeCookie(name, false);
            if (c != null) {
                Cookie prefixed = Cookie.cookie(PREFIX + name, c.getValue()).setPath("/").setSecure(true)
                        .setHttpOnly(c.isHttpOnly());
                if (c.getSameSite() != null) {
                    prefixed.setSameSite(c.getSameSite());
                }
                if (c.getMaxAge() != Long.MIN_VALUE) {
                    prefixed.setMaxAge(c.getMaxAge());
                }
                rc.response().addCookie(prefixed);
            }
        }
    }
}
