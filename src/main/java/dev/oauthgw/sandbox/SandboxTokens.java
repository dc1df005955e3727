package dev.oauthgw.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Random values, hashes and JWT-shaped access tokens of the sandbox. The HS256 key is random per JVM:
 * sandbox tokens are meaningless outside the process that minted them, and the sandbox checks their
 * liveness against its own store anyway.
 */
final class SandboxTokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HS256_KEY = randomBytes(32);
    private static final String JWT_HEADER = B64URL.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"sandbox\"}".getBytes(StandardCharsets.UTF_8));

    private SandboxTokens() {
    }

    /** A random, URL-safe string of {@code bytes} bytes of entropy (32 bytes = 256 bits). */
    static String random(int bytes) {
        return B64URL.encodeToString(randomBytes(bytes));
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key under which a token, code or refresh token is stored: never the value itself. */
    static String hash(String value) {
        return HexFormat.of().formatHex(sha256(value));
    }

    /** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
    static String s256(String verifier) {
        return B64URL.encodeToString(sha256(verifier));
    }

    /** A compact JWS (HS256) carrying {@code claims}. */
    static String jwt(Map<String, Object> claims) {
        try {
            String payload = B64URL.encodeToString(JSON.writeValueAsBytes(claims));
            String signingInput = JWT_HEADER + "." + payload;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(HS256_KEY, "HmacSHA256"));
            return signingInput + "." + B64URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (JsonProcessingException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot mint a sandbox token", e);
        }
    }
}
