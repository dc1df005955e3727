package dev.oauthgw.ops.dashboard;

import dev.oauthgw.ops.signin.OpsSignIn;
import java.net.URI;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;

/**
 * Security headers on every page of the dashboard: a Content-Security-Policy that allows scripts from the
 * gateway only (no inline code: {@code /ops/assets/ops.js}), no framing, no plugins, forms posting only to the
 * gateway (and, with OIDC, to the identity provider, where sign-out redirects), no MIME sniffing, and no
 * caching of pages (they show operators' data and carry CSRF tokens; the static assets may be cached).
 */
@Singleton
public class OpsSecurityHeaders {

    private final String policy;

    public OpsSecurityHeaders(OpsSignIn signIn, @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> issuer) {
        String formAction = "'self'" + (signIn.oidc() ? issuer.map(OpsSecurityHeaders::origin).map(o -> " " + o).orElse("") : "");
        this.policy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                + "form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'";
    }

    static String origin(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    String policy() {
        return policy;
    }

    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/ops") && !path.startsWith("/ops/")) {
            return;
        }
        MultivaluedMap<String, Object> h = response.getHeaders();
        h.putSingle("Content-Security-Policy", policy);
        h.putSingle("X-Content-Type-Options", "nosniff");
        h.putIfAbsent("X-Frame-Options", java.util.List.of("DENY"));
        h.putIfAbsent("Referrer-Policy", java.util.List.of("same-origin"));
        if (!path.startsWith("/ops/assets/")) {
            h.putIfAbsent("Cache-Control", java.util.List.of("no-store"));
        }
    }
}
