package dev.oauthgw.sandbox.authserver;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.sandbox.SandboxTokens;

/**
 * The sandbox's access tokens: JWTs shaped like Auth0's, signed HS256 under a key random per JVM. They are
 * meaningless outside the process that minted them, and {@link SandboxGrants} checks their liveness against
 * its own store anyway.
 */
final class AccessTokenJwt {

    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HS256_KEY = SandboxTokens.randomBytes(32);
    private static final String HEADER = B64URL.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"sandbox\"}".getBytes(StandardCharsets.UTF_8));

    private AccessTokenJwt() {
    }

    /** The claims every access token carries; callers add their own before {@link #sign}. */
    static Map<String, Object> claims(String issuer, String subject, String audience, String clientId,
            String scope, Instant now, Instant exp) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", subject);
        claims.put("aud", audience);
        claims.put("azp", clientId);
        claims.put("scope", scope);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", exp.getEpochSecond());
        claims.put("jti", SandboxTokens.random(12));
        return claims;
    }

    /** A compact JWS (HS256) carrying {@code claims}. */
    static String sign(Map<String, Object> claims) {
        try {
            String payload = B64URL.encodeToString(JSON.writeValueAsBytes(claims));
            String signingInput = HEADER + "." + payload;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(HS256_KEY, "HmacSHA256"));
            return signingInput + "." + B64URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (JsonProcessingException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot mint a sandbox token", e);
        }
    }
}
