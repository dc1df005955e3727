package dev.oauthgw.sandbox.idp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.sandbox.SandboxConfig;
import dev.oauthgw.sandbox.SandboxIssued;
import dev.oauthgw.sandbox.SandboxTokens;
import io.quarkus.arc.profile.IfBuildProfile;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * State of the sandbox identity provider: its RS256 signing key (new per JVM), the sign-in requests waiting
 * for the user and the authorization codes waiting for the relying party. Codes are single use and live a
 * minute; what is stored is keyed by the code's hash, never the code.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxIdp {

    static final String KEY_ID = "sandbox-idp-1";
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An authorization request shown on the sign-in page. */
    record SignInRequest(String redirectUri, String state, String nonce, String codeChallenge, Instant expiresAt) {
    }

    /** What a code stands for: who signed in, in answer to which request. */
    record SignedIn(String user, String redirectUri, String nonce, String codeChallenge, Instant expiresAt) {
    }

    private final SandboxConfig.Idp config;
    private final Clock clock;
    private final KeyPair keys;
    private final Map<String, SignInRequest> requests = new ConcurrentHashMap<>();
    private final Map<String, SignedIn> codes = new ConcurrentHashMap<>();

    private final SandboxIssued issued;

    public SandboxIdp(SandboxConfig config, Clock clock, SandboxIssued issued) throws GeneralSecurityException {
        this.issued = issued;
        this.config = config.idp();
        this.clock = clock;
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        this.keys = g.generateKeyPair();
    }

    SandboxConfig.Idp config() {
        return config;
    }

    Optional<SandboxConfig.IdpUser> user(String key) {
        return key == null ? Optional.empty() : Optional.ofNullable(config.users().get(key));
    }

    String startSignIn(String redirectUri, String state, String nonce, String codeChallenge) {
        String id = SandboxTokens.random(24);
        requests.put(id, new SignInRequest(redirectUri, state, nonce, codeChallenge, clock.instant().plusSeconds(600)));
        return id;
    }

    /** The waiting request, taken so that it cannot be answered twice. */
    Optional<SignInRequest> takeSignIn(String id) {
        SignInRequest r = id == null ? null : requests.remove(id);
        return Optional.ofNullable(r).filter(x -> x.expiresAt().isAfter(clock.instant()));
    }

    String issueCode(String user, SignInRequest request) {
        String code = issued.secret("idp code", SandboxTokens.random(32));
        codes.put(SandboxTokens.hash(code), new SignedIn(user, request.redirectUri(), request.nonce(),
                request.codeChallenge(), clock.instant().plusSeconds(60)));
        return code;
    }

    /** The code's grant, removed: a code works once. */
    Optional<SignedIn> redeem(String code) {
        SignedIn s = code == null ? null : codes.remove(SandboxTokens.hash(code));
        return Optional.ofNullable(s).filter(x -> x.expiresAt().isAfter(clock.instant()));
    }

    boolean clientSecretMatches(String secret) {
        return secret != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                config.clientSecret().getBytes(StandardCharsets.UTF_8));
    }

    /** An ID token for {@code user}, signed RS256 with this JVM's key. */
    String idToken(String issuer, String userKey, String nonce) {
        SandboxConfig.IdpUser u = config.users().get(userKey);
        long now = clock.instant().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", "sandbox-idp|" + userKey);
        claims.put("aud", config.clientId());
        claims.put("azp", config.clientId());
        claims.put("iat", now);
        claims.put("auth_time", now);
        claims.put("exp", now + config.idTokenLifetime().toSeconds());
        if (nonce != null) {
            claims.put("nonce", nonce);
        }
        claims.put("email", u.email());
        claims.put("email_verified", true);
        claims.put("name", u.name());
        claims.put("groups", u.groups().orElse(List.of()));
        return issued.secret("id token", sign(claims));
    }

    /** An opaque access token (the gateway does not use it). */
    String accessToken() {
        return issued.secret("idp access token", SandboxTokens.random(32));
    }

    private String sign(Map<String, Object> claims) {
        try {
            Map<String, Object> header = Map.of("alg", "RS256", "typ", "JWT", "kid", KEY_ID);
            String input = B64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + B64URL.encodeToString(JSON.writeValueAsBytes(claims));
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(keys.getPrivate());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64URL.encodeToString(s.sign());
        } catch (JsonProcessingException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a sandbox ID token", e);
        }
    }

    /**
     * Whether {@code idToken} is an ID token this provider issued to its client (signature and audience;
     * an expired one still counts, as OpenID Connect RP-initiated logout allows).
     */
    boolean issuedHere(String idToken) {
        if (idToken == null) {
            return false;
        }
        String[] parts = idToken.split("\\.");
        if (parts.length != 3) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initVerify(keys.getPublic());
            s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!s.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return false;
            }
            Map<?, ?> claims = JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), Map.class);
            return config.clientId().equals(claims.get("aud"));
        } catch (GeneralSecurityException | IllegalArgumentException | java.io.IOException e) {
            return false;
        }
    }

    /** The public key as a JWK Set (RFC 7517). */
    Map<String, Object> jwks() {
        RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("use", "sig");
        jwk.put("alg", "RS256");
        jwk.put("kid", KEY_ID);
        jwk.put("n", B64URL.encodeToString(unsigned(pub.getModulus().toByteArray())));
        jwk.put("e", B64URL.encodeToString(unsigned(pub.getPublicExponent().toByteArray())));
        return Map.of("keys", List.of(jwk));
    }

    private static byte[] unsigned(byte[] b) {
        return b.length > 1 && b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }
}
