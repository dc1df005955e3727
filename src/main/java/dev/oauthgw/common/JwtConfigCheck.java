package dev.oauthgw.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Fails closed at start when callers' JWTs could not be verified: prod needs an issuer and a public key
 * (PEM or JWKS URL). dev and test sign and verify with the key pair smallrye-jwt makes for them.
 */
@Startup
@ApplicationScoped
public class JwtConfigCheck {

    public JwtConfigCheck(@ConfigProperty(name = "gateway.security.require-jwt-key", defaultValue = "true") boolean required,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> location,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> key,
            @ConfigProperty(name = "mp.jwt.verify.issuer") Optional<String> issuer) {
        if (!required) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (location.filter(JwtConfigCheck::set).isEmpty() && key.filter(JwtConfigCheck::set).isEmpty()) {
            problems.add("no JWT verification key: set GATEWAY_JWT_PUBLIC_KEY_LOCATION (a PEM file or a JWKS URL)");
        }
        if (issuer.filter(JwtConfigCheck::set).isEmpty()) {
            problems.add("no JWT issuer: set GATEWAY_JWT_ISSUER");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Caller authentication is not configured:\n - " + String.join("\n - ", problems));
        }
    }

    /** smallrye-jwt reads "NONE" as "not configured". */
    private static boolean set(String value) {
        return !value.isBlank() && !"NONE".equals(value);
    }
}
