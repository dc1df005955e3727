package dev.oauthgw.events;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Gateway-Signature} header: {@code sha256=<lowercase hex of HMAC-SHA256(secret, body)>},
 * over the exact bytes of the request body. Receivers verify by recomputing it and comparing in constant
 * time ({@link #verify}).
 */
public final class WebhookSignature {

    public static final String PREFIX = "sha256=";
    private static final String ALGORITHM = "HmacSHA256";

    private WebhookSignature() {
    }

    /** The header value for {@code body} under {@code secret}. */
    public static String header(byte[] secret, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(hmac(secret, body));
    }

    /** True when {@code header} is the signature of {@code body} under {@code secret} (constant-time comparison). */
    public static boolean verify(byte[] secret, byte[] body, String header) {
        if (header == null) {
            return false;
        }
        byte[] expected = header(secret, body).getBytes(StandardCharsets.US_ASCII);
        byte[] given = header.trim().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }

    static byte[] hmac(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
