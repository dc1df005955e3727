package dev.oauthgw.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random values and hashes for every part of the sandbox: codes, tokens and request ids are random, and
 * what is stored is their hash, never the value.
 */
public final class SandboxTokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private SandboxTokens() {
    }

    /** A random, URL-safe string of {@code bytes} bytes of entropy (32 bytes = 256 bits). */
    public static String random(int bytes) {
        return B64URL.encodeToString(randomBytes(bytes));
    }

    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    public static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key under which a token, code or refresh token is stored: never the value itself. */
    public static String hash(String value) {
        return HexFormat.of().formatHex(sha256(value));
    }

    /** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
    public static String s256(String verifier) {
        return B64URL.encodeToString(sha256(verifier));
    }
}
