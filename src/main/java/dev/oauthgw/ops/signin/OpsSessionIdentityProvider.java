package dev.oauthgw.ops.signin;

import dev.oauthgw.ops.OpsConfig;
import java.util.Locale;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Restores an operator from the dashboard's encrypted session cookie. The roles are read from the
 * configuration again on every request, so an account removed from the configuration stops working at
 * the next request, whatever its cookie says; and the session must carry a sign-in cookie issued after the
 * account last signed out ({@link OpsSessions}), so a cookie copied before a sign-out opens nothing.
 */
@ApplicationScoped
public class OpsSessionIdentityProvider implements IdentityProvider<TrustedAuthenticationRequest> {

    private final OpsConfig config;
    private final OpsSignIn signIn;
    private final OpsSessions sessions;

    public OpsSessionIdentityProvider(OpsConfig config, OpsSignIn signIn, OpsSessions sessions) {
        this.config = config;
        this.signIn = signIn;
        this.sessions = sessions;
    }

    @Override
    public Class<TrustedAuthenticationRequest> getRequestType() {
        return TrustedAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TrustedAuthenticationRequest request, AuthenticationRequestContext context) {
        if (signIn.oidc()) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        java.util.Optional<OpsPrincipal> principal = OpsPrincipal.parse(request.getPrincipal());
        if (principal.isEmpty()) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        OpsPrincipal p = principal.get();
        return context.runBlocking(() -> {
            if (!sessions.stillSignedIn(p)) {
                throw new AuthenticationFailedException();
            }
            return restore(p);
        });
    }

    private SecurityIdentity restore(OpsPrincipal p) {
        String wanted = p.account().toLowerCase(Locale.ROOT);
        return config.users().entrySet().stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(wanted))
                .findFirst().map(e -> {
                    // the same sign-in instant: Quarkus writes getName() into the renewed cookie
                    QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                            .setPrincipal(new OpsPrincipal(e.getKey(), p.signedInAtMillis()));
                    e.getValue().roles().forEach(b::addRole);
                    return (SecurityIdentity) b.build();
                }).orElseThrow(AuthenticationFailedException::new);
    }
}
