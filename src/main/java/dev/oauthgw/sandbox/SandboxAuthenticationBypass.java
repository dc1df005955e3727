package dev.oauthgw.sandbox;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Keeps the gateway's own authentication (SmallRye JWT, proactive) away from the sandbox's requests.
 * <p>
 * The sandbox is a separate authorization server that happens to live in the same process: its clients
 * send {@code Authorization: Bearer <sandbox token>} to {@code /sandbox/v1/companies} and
 * {@code Authorization: Basic <client credentials>} to the token endpoint, and the sandbox checks both
 * itself. Without this mechanism the JWT mechanism would try to verify sandbox tokens as gateway JWTs and
 * answer 401 before the sandbox is reached. For requests under {@code /sandbox/} that carry an
 * Authorization header, this mechanism (tried first: highest priority) answers an anonymous identity, so
 * no other mechanism looks at the header; every other request is left to the gateway's mechanisms.
 * Exists only in the dev and test builds, like the rest of the sandbox.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxAuthenticationBypass implements HttpAuthenticationMechanism {

    static final String PREFIX = "/sandbox/";
    private static final SecurityIdentity ANONYMOUS = QuarkusSecurityIdentity.builder().setAnonymous(true).build();

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String path = context.normalizedPath();
        if (path != null && path.startsWith(PREFIX) && context.request().getHeader("Authorization") != null) {
            return Uni.createFrom().item(ANONYMOUS);
        }
        return Uni.createFrom().nullItem();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 1000;
    }
}
