package dev.oauthgw.events;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Gateway-Signature} header (Stripe style): {@code t=<unix seconds>,v1=<lowercase hex of
 * HMAC-SHA256(secret, "<t>." + body)>}. The timestamp is inside the signed bytes, so a receiver that refuses
 * timestamps older than a few minutes ({@link #DEFAULT_TOLERANCE}) refuses replays of captured requests, and
 * nobody can move the timestamp forward without the secret. Receivers verify with {@link #verify}.
 */
public final class WebhookSignature {

    /** How old a signature a receiver should accept (and how far in the future, for clock skew). */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    private static final String ALGORITHM = "HmacSHA256";

    /** What a receiver concludes. Only {@link #VALID} may be acted on. */
    public enum Verdict {
        VALID, MISSING_OR_MALFORMED, MISMATCH, STALE
    }

    private WebhookSignature() {
    }

    /** The header value for {@code body} sent at {@code unixSeconds} under {@code secret}. */
    public static String header(byte[] secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(hmac(secret, signedBytes(unixSeconds, body)));
    }

    /**
     * Checks {@code header} against {@code body}: the HMAC over {@code "<t>.<body>"} first (constant-time
     * comparison), then that {@code t} lies within {@code tolerance} of {@code now}.
     */
    public static Verdict verify(byte[] secret, byte[] body, String header, Instant now, Duration tolerance) {
        if (header == null || header.length() > 512) {
            return Verdict.MISSING_OR_MALFORMED;
        }
        Long t = null;
        String v1 = null;
        for (String part : header.trim().split(",")) {
            String p = part.trim();
            if (p.startsWith("t=") && t == null) {
                try {
                    t = Long.parseLong(p.substring(2));
                } catch (NumberFormatException e) {
                    return Verdict.MISSING_OR_MALFORMED;
                }
            } else if (p.startsWith("v1=") && v1 == null) {
                v1 = p.substring(3);
            }
        }
        if (t == null || v1 == null) {
            return Verdict.MISSING_OR_MALFORMED;
        }
        byte[] expected = HexFormat.of().formatHex(hmac(secret, signedBytes(t, body))).getBytes(StandardCharsets.US_ASCII);
        byte[] given = v1.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            return Verdict.MISMATCH;
        }
        long age = now.getEpochSecond() - t;
        return Math.abs(age) > tolerance.toSeconds() ? Verdict.STALE : Verdict.VALID;
    }

    private static byte[] signedBytes(long unixSeconds, byte[] body) {
        byte[] prefix = (unixSeconds + ".").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(body, 0, all, prefix.length, body.length);
        return all;
    }

    static byte[] hmac(byte[] secret, byte[] data) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
