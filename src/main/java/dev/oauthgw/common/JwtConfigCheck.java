package dev.oauthgw.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Fails closed at start when callers' JWTs could not be verified, or not safely: prod needs an issuer and a
 * public key (a PEM or JWKS file, a classpath resource, or an https JWKS URL; a key fetched over plain http could
 * be swapped by anyone on the way). dev and test sign and verify with the key pair smallrye-jwt makes for them.
 */
@Startup
@ApplicationScoped
public class JwtConfigCheck {

    public JwtConfigCheck(@ConfigProperty(name = "gateway.security.require-jwt-key", defaultValue = "true") boolean required,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> location,
            @ConfigProperty(name = "smallrye.jwt.verify.key.location") Optional<String> smallryeLocation,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> key,
            @ConfigProperty(name = "mp.jwt.verify.issuer") Optional<String> issuer) {
        List<String> problems = problems(required, location, smallryeLocation, key, issuer);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Caller authentication is not configured:\n - " + String.join("\n - ", problems));
        }
    }

    /** What is wrong with the JWT verification settings (setting names, never values); empty when nothing is. */
    public static List<String> problems(boolean required, Optional<String> location, Optional<String> smallryeLocation,
            Optional<String> key, Optional<String> issuer) {
        List<String> problems = new ArrayList<>();
        if (!required) {
            return problems;
        }
        if (location.filter(JwtConfigCheck::set).isEmpty() && smallryeLocation.filter(JwtConfigCheck::set).isEmpty()
                && key.filter(JwtConfigCheck::set).isEmpty()) {
            problems.add("no JWT verification key: set GATEWAY_JWT_PUBLIC_KEY_LOCATION (a PEM file or a JWKS URL)");
        }
        if (location.filter(JwtConfigCheck::plainHttp).isPresent() || smallryeLocation.filter(JwtConfigCheck::plainHttp).isPresent()) {
            problems.add("GATEWAY_JWT_PUBLIC_KEY_LOCATION must use https (or be a file): a key fetched over plain http "
                    + "could be replaced on the way");
        }
        if (issuer.filter(JwtConfigCheck::set).isEmpty()) {
            problems.add("no JWT issuer: set GATEWAY_JWT_ISSUER");
        }
        return problems;
    }

    /** An http:// URL; only its scheme is looked at, so nothing of the URL reaches the message. */
    static boolean plainHttp(String location) {
        return location.strip().regionMatches(true, 0, "http://", 0, 7);
    }

    /** smallrye-jwt reads "NONE" as "not configured". */
    private static boolean set(String value) {
        return !value.isBlank() && !"NONE".equals(value);
    }
}
