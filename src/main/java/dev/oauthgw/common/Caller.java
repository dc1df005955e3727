package dev.oauthgw.common;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;

/**
 * The bearer-JWT caller of the current request (SmallRye JWT's principal). Resources read the caller through
 * this rather than by injecting {@code JsonWebToken}: with quarkus-oidc in the application (the dashboard's
 * sign-in), the injected {@code JsonWebToken} is OIDC's, which is empty for a SmallRye JWT caller.
 */
@RequestScoped
public class Caller {

    private final SecurityIdentity identity;

    public Caller(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The caller's name: the JWT's {@code upn}, {@code preferred_username} or {@code sub}. */
    public String name() {
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            return jwt.getName() != null ? jwt.getName() : jwt.getSubject();
        }
        return identity.isAnonymous() ? null : identity.getPrincipal().getName();
    }

    /** A claim of the caller's JWT, or null. */
    public Object claim(String name) {
        return identity.getPrincipal() instanceof JsonWebToken jwt ? jwt.getClaim(name) : null;
    }
}
