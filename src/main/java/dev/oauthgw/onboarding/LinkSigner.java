package dev.oauthgw.onboarding;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Signs and verifies onboarding-link tokens: {@code base64url(link id || expiry) "." base64url(HMAC-SHA256)}.
 * The signature makes links unguessable and unforgeable without a database read; the link's row makes
 * it single-use. Without a configured key the application does not start, unless dev/test allow a
 * throwaway key.
 */
@Startup
@ApplicationScoped
public class LinkSigner {

    private static final Logger LOG = Logger.getLogger(LinkSigner.class);
    private static final byte[] DOMAIN = "onboarding-link-v1|".getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    public record Verified(UUID linkId, Instant expiresAt) {
    }

    private final SecretKeySpec key;

    public LinkSigner(OnboardingConfig config) {
        this.key = new SecretKeySpec(loadKey(config), "HmacSHA256");
    }

    /** What is wrong with the configured signing key, if anything (for the start-up check; never the key). */
    public static Optional<String> keyProblem(OnboardingConfig config) {
        try {
            Optional<String> configured = config.linkSigningKey().filter(s -> !s.isBlank());
            if (configured.isPresent() || !config.generateThrowawaySigningKey()) {
                loadKey(config);
            }
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    static byte[] loadKey(OnboardingConfig config) {
        Optional<String> configured = config.linkSigningKey().filter(s -> !s.isBlank());
        if (configured.isPresent()) {
            byte[] k;
            try {
                k = Base64.getDecoder().decode(configured.get().trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("gateway.onboarding.link-signing-key is not valid base64");
            }
            if (k.length < 32) {
                throw new IllegalStateException("gateway.onboarding.link-signing-key must be at least 32 bytes");
            }
            return k;
        }
        if (!config.generateThrowawaySigningKey()) {
            throw new IllegalStateException("No onboarding link signing key: set GATEWAY_ONBOARDING_LINK_SIGNING_KEY "
                    + "(base64 of 32 random bytes, e.g. `openssl rand -base64 32`)");
        }
        LOG.warn("Using a throwaway onboarding link signing key: links stop working when the gateway restarts");
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    public String sign(UUID linkId, Instant expiresAt) {
        byte[] payload = ByteBuffer.allocate(24).putLong(linkId.getMostSignificantBits())
                .putLong(linkId.getLeastSignificantBits()).putLong(expiresAt.getEpochSecond()).array();
        return B64.encodeToString(payload) + "." + B64.encodeToString(mac(payload));
    }

    /** The link id and expiry when the token is well-formed and its signature is ours; empty otherwise. */
    public Optional<Verified> verify(String token) {
        if (token == null || token.length() > 200) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        byte[] payload;
        byte[] sig;
        try {
            payload = B64D.decode(token.substring(0, dot));
            sig = B64D.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (payload.length != 24 || !MessageDigest.isEqual(mac(payload), sig)) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        return Optional.of(new Verified(new UUID(b.getLong(), b.getLong()), Instant.ofEpochSecond(b.getLong())));
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(DOMAIN);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
