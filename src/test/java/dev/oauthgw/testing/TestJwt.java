package dev.oauthgw.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

import dev.oauthgw.testing.leaks.MintedSecrets;
import io.smallrye.jwt.build.Jwt;

/**
 * Mints caller JWTs for tests with the key pair that smallrye-jwt makes for the test profile. Every token is
 * recorded in {@link MintedSecrets}, so that the log scan after the run would find it in the log.
 */
public final class TestJwt {

    public static final String ISSUER = "https://issuer.gateway.test";
    public static final String AUDIENCE = "pax8-oauth-gateway";

    private TestJwt() {
    }

    public static String ops() {
        return withRoles("alice@vendor.test", "ops");
    }

    public static String withRoles(String subject, String... roles) {
        return MintedSecrets.record(Jwt.issuer(ISSUER).audience(AUDIENCE).upn(subject).subject(subject)
                .groups(Set.of(roles)).expiresIn(300).sign());
    }

    public static String expired(String... roles) {
        Instant past = Instant.now().minusSeconds(3600);
        return MintedSecrets.record(Jwt.issuer(ISSUER).audience(AUDIENCE).upn("late@vendor.test")
                .groups(Set.of(roles)).issuedAt(past.minusSeconds(600)).expiresAt(past).sign());
    }

    public static String wrongIssuer(String... roles) {
        return MintedSecrets.record(Jwt.issuer("https://evil.example").audience(AUDIENCE)
                .upn("mallory@evil.example").groups(Set.of(roles)).expiresIn(300).sign());
    }

    public static String wrongAudience(String... roles) {
        return MintedSecrets.record(Jwt.issuer(ISSUER).audience("some-other-service").upn("bob@vendor.test")
                .groups(Set.of(roles)).expiresIn(300).sign());
    }

    /** A valid token whose payload was changed after signing (roles widened to ops). */
    public static String tampered() {
        return tamperedWithRole("ops");
    }

    /** A valid token whose payload was changed after signing (roles widened to the given role). */
    public static String tamperedWithRole(String role) {
        String[] parts = withRoles("eve@vendor.test", "viewer").split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"viewer\"", "\"" + role + "\"");
        return MintedSecrets.record(parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2]);
    }
}
