package dev.oauthgw.ops.signin;

import dev.oauthgw.ops.OpsConfig;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;

/**
 * Gives a person signed in through the vendor's identity provider the role {@code ops} when one of their
 * groups (claim {@code gateway.ops.oidc.groups-claim} of the ID token, read as the token carries it) is an
 * operator group, and no other
 * role: the identity provider's own groups never turn into gateway roles by accident (a group called
 * {@code tokens:read} opens nothing). Identities from bearer JWTs and the built-in form are left alone.
 */
@ApplicationScoped
public class OpsOidcRoles implements SecurityIdentityAugmentor {

    private final String groupsClaim;
    private final Set<String> operatorGroups;

    public OpsOidcRoles(OpsConfig config) {
        this.groupsClaim = config.oidc().groupsClaim();
        this.operatorGroups = config.oidc().operatorGroups().orElse(Set.of());
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || identity.getCredential(IdTokenCredential.class) == null
                || !(identity.getPrincipal() instanceof JsonWebToken idToken)) {
            return Uni.createFrom().item(identity);
        }
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder().setPrincipal(identity.getPrincipal())
                .addCredentials(identity.getCredentials()).addAttributes(identity.getAttributes());
        Object claim = idToken instanceof OidcJwtCallerPrincipal oidc ? oidc.getClaims().getClaimValue(groupsClaim)
                : idToken.getClaim(groupsClaim);
        if (isOperator(groups(claim))) {
            b.addRole("ops");
        }
        return Uni.createFrom().item(b.build());
    }

    boolean isOperator(Set<String> groups) {
        return groups.stream().anyMatch(operatorGroups::contains);
    }

    /**
     * The groups of a claim as the ID token carries it: a JSON array of strings (the usual form) or a
     * collection; a single string is one group (never split: a group may contain spaces or commas).
     */
    static Set<String> groups(Object claim) {
        if (claim instanceof JsonArray array) {
            return array.stream().filter(JsonString.class::isInstance).map(v -> ((JsonString) v).getString())
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }
        if (claim instanceof Collection<?> c) {
            return c.stream().filter(String.class::isInstance).map(String.class::cast)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }
        if (claim instanceof JsonString js) {
            return Set.of(js.getString());
        }
        if (claim instanceof String str) {
            return Set.of(str);
        }
        return Set.of();
    }
}
