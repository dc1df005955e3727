package dev.oauthgw.ops.signin;

import dev.oauthgw.ops.OpsConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Checks the dashboard's built-in sign-in (form authentication) against the bcrypt hashes of
 * {@link OpsConfig#users()}. bcrypt is slow on purpose, so it runs on a worker thread.
 */
@ApplicationScoped
public class OpsIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final Logger LOG = Logger.getLogger(OpsIdentityProvider.class);
    /** Compared against when the user is unknown, so that unknown and known users take the same time. */
    private static final String DUMMY_HASH = OpsPasswords.hash(java.util.UUID.randomUUID().toString());

    private final OpsConfig config;
    private final OpsSignIn signIn;

    public OpsIdentityProvider(OpsConfig config, OpsSignIn signIn) {
        this.config = config;
        this.signIn = signIn;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        if (signIn.oidc()) {
            // operators sign in at the identity provider: the built-in accounts open nothing
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        return context.runBlocking(() -> check(request.getUsername(), request.getPassword().getPassword()));
    }

    SecurityIdentity check(String username, char[] password) {
        Optional<Map.Entry<String, OpsConfig.User>> user = find(username);
        String hash = user.map(e -> e.getValue().passwordHash()).orElse(DUMMY_HASH);
        boolean ok = OpsPasswords.matches(hash, password) && user.isPresent();
        if (!ok) {
            LOG.infof("Dashboard sign-in refused for user '%s'", sanitize(username));
            throw new AuthenticationFailedException();
        }
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(user.get().getKey()));
        user.get().getValue().roles().forEach(b::addRole);
        return b.build();
    }

    private Optional<Map.Entry<String, OpsConfig.User>> find(String username) {
        if (username == null) {
            return Optional.empty();
        }
        String wanted = username.strip().toLowerCase(Locale.ROOT);
        return config.users().entrySet().stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(wanted))
                .findFirst();
    }

    private static String sanitize(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("[^\\x20-\\x7E]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }
}
