package dev.oauthgw.ops.signin;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who the signed-in operator is: the name the dashboard shows, and the actor its actions are audited
 * with. With the identity provider the shown name is a claim such as {@code email}, which is neither
 * stable nor unique at every provider (users may change it, addresses are reused), so the audit also
 * records the ID token's subject: {@code alice@vendor.example (sub 00u1ab...)}.
 */
public final class OpsOperator {

    private OpsOperator() {
    }

    public static String display(SecurityIdentity identity) {
        return identity.getPrincipal() instanceof OpsPrincipal p ? p.account() : identity.getPrincipal().getName();
    }

    public static String actor(SecurityIdentity identity) {
        String name = display(identity);
        if (identity.getCredential(IdTokenCredential.class) != null
                && identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null
                && !jwt.getSubject().equals(name)) {
            name = name + " (sub " + jwt.getSubject() + ")";
        }
        return name.length() <= 255 ? name : name.substring(0, 255);
    }
}
