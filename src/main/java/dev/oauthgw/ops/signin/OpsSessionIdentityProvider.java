package dev.oauthgw.ops.signin;

import dev.oauthgw.ops.OpsConfig;
import java.util.Locale;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Restores an operator from the dashboard's encrypted session cookie. The roles are read from the
 * configuration again on every request, so an account removed from the configuration stops working at
 * the next request, whatever its cookie says.
 */
@ApplicationScoped
public class OpsSessionIdentityProvider implements IdentityProvider<TrustedAuthenticationRequest> {

    private final OpsConfig config;
    private final OpsSignIn signIn;

    public OpsSessionIdentityProvider(OpsConfig config, OpsSignIn signIn) {
        this.config = config;
        this.signIn = signIn;
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
        String wanted = request.getPrincipal() == null ? "" : request.getPrincipal().toLowerCase(Locale.ROOT);
        return config.users().entrySet().stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(wanted))
                .findFirst().map(e -> {
                    QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                            .setPrincipal(new QuarkusPrincipal(e.getKey()));
                    e.getValue().roles().forEach(b::addRole);
                    return Uni.createFrom().<SecurityIdentity> item(b.build());
                }).orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException()));
    }
}
