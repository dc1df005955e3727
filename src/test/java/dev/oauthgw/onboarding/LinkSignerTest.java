package dev.oauthgw.onboarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Onboarding-link tokens without a server: {@code base64url(link id || expiry) "." base64url(HMAC-SHA256)}. A
 * token verifies only unchanged and under the key that signed it. Whether a genuine link is still usable
 * (expired, used) is decided by {@link OnboardingLinkService} against the link's row (OnboardingFlowTest); the
 * signature's part is that nobody can change the expiry it carries. The signature comparison is
 * {@code MessageDigest.isEqual}, which takes the same time wherever the first differing byte is; that is not
 * measured here.
 */
class LinkSignerTest {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private static String randomKey(int bytes) {
        byte[] k = new byte[bytes];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    /** The configuration LinkSigner reads: the signing key and whether a throwaway key may be made up. */
    private static OnboardingConfig config(String key, boolean throwaway) {
        return (OnboardingConfig) Proxy.newProxyInstance(OnboardingConfig.class.getClassLoader(),
                new Class<?>[] { OnboardingConfig.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "linkSigningKey" -> Optional.ofNullable(key);
                    case "generateThrowawaySigningKey" -> throwaway;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static LinkSigner signer(String key) {
        return new LinkSigner(config(key, false));
    }

    private final String key = randomKey(32);
    private final LinkSigner signer = signer(key);
    private final UUID linkId = UUID.randomUUID();
    private final Instant expiresAt = Instant.now().plus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    /** {@code token} with its payload (link id and expiry) rewritten and its signature kept. */
    private static String withPayload(String token, UUID id, Instant expiry) {
        byte[] payload = ByteBuffer.allocate(24).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
                .putLong(expiry.getEpochSecond()).array();
        return B64.encodeToString(payload) + token.substring(token.indexOf('.'));
    }

    /** {@code token} with one bit of its signature flipped. */
    private static String withSignatureBitFlipped(String token, int byteIndex) {
        int dot = token.indexOf('.');
        byte[] sig = B64D.decode(token.substring(dot + 1));
        sig[byteIndex < 0 ? sig.length + byteIndex : byteIndex] ^= 1;
        return token.substring(0, dot + 1) + B64.encodeToString(sig);
    }

    @Test
    void a_signed_link_verifies_to_its_link_id_and_expiry() {
        String token = signer.sign(linkId, expiresAt);
        LinkSigner.Verified v = signer.verify(token).orElseThrow();
        assertEquals(linkId, v.linkId());
        assertEquals(expiresAt, v.expiresAt());
        assertTrue(token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), "URL-safe without escaping: " + token);
    }

    @Test
    void another_replica_or_a_restart_with_the_same_key_verifies_it_too() {
        String token = signer.sign(linkId, expiresAt);
        assertEquals(linkId, signer(key).verify(token).orElseThrow().linkId());
    }

    @Test
    void a_link_signed_with_another_key_is_rejected() {
        String token = signer(randomKey(32)).sign(linkId, expiresAt);
        assertTrue(signer.verify(token).isEmpty());
    }

    @Test
    void changing_the_link_id_in_a_token_breaks_its_signature() {
        String token = signer.sign(linkId, expiresAt);
        assertTrue(signer.verify(withPayload(token, UUID.randomUUID(), expiresAt)).isEmpty());
        UUID nextDoor = new UUID(linkId.getMostSignificantBits(), linkId.getLeastSignificantBits() ^ 1);
        assertTrue(signer.verify(withPayload(token, nextDoor, expiresAt)).isEmpty());
    }

    @Test
    void an_expired_link_cannot_be_revived_by_moving_its_expiry() {
        Instant expired = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String token = signer.sign(linkId, expired);
        assertTrue(signer.verify(withPayload(token, linkId, expired.plus(30, ChronoUnit.DAYS))).isEmpty());
        assertTrue(signer.verify(withPayload(token, linkId, expired.plusSeconds(1))).isEmpty());
    }

    @Test
    void an_expired_link_still_verifies_with_its_past_expiry_for_the_link_service_to_refuse() {
        Instant expired = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        LinkSigner.Verified v = signer.verify(signer.sign(linkId, expired)).orElseThrow();
        assertEquals(expired, v.expiresAt());
        assertTrue(v.expiresAt().isBefore(Instant.now()));
    }

    @Test
    void a_signature_changed_in_its_first_or_last_byte_is_rejected() {
        String token = signer.sign(linkId, expiresAt);
        assertTrue(signer.verify(withSignatureBitFlipped(token, 0)).isEmpty());
        assertTrue(signer.verify(withSignatureBitFlipped(token, -1)).isEmpty());
    }

    @Test
    void a_shortened_or_lengthened_signature_is_rejected() {
        String token = signer.sign(linkId, expiresAt);
        int dot = token.indexOf('.');
        byte[] sig = B64D.decode(token.substring(dot + 1));
        String head = token.substring(0, dot + 1);
        assertTrue(signer.verify(head + B64.encodeToString(java.util.Arrays.copyOf(sig, 16))).isEmpty());
        assertTrue(signer.verify(head + B64.encodeToString(java.util.Arrays.copyOf(sig, sig.length + 1))).isEmpty());
        assertTrue(signer.verify(head).isEmpty());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { ".", "no-dot-at-all", "a.b", "!!!!.????", "AAAA.AAAA", "..." })
    void a_malformed_token_is_rejected_without_an_exception(String token) {
        assertTrue(signer.verify(token).isEmpty());
    }

    @Test
    void an_overlong_token_is_rejected_before_any_decoding() {
        String token = signer.sign(linkId, expiresAt);
        assertTrue(signer.verify(token + "A".repeat(201 - token.length())).isEmpty());
    }

    @Test
    void a_key_shorter_than_32_bytes_is_refused_at_start() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> signer(randomKey(31)));
        assertTrue(e.getMessage().contains("at least 32 bytes"), e.getMessage());
    }

    @Test
    void a_key_that_is_not_base64_is_refused_without_printing_it() {
        String notBase64 = "not base64 at all, but a secret?!";
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> signer(notBase64));
        assertTrue(e.getMessage().contains("not valid base64"), e.getMessage());
        assertFalse(e.getMessage().contains(notBase64));
    }

    @Test
    void without_a_key_the_application_refuses_to_start_unless_a_throwaway_key_is_allowed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new LinkSigner(config(null, false)));
        assertTrue(e.getMessage().contains("GATEWAY_ONBOARDING_LINK_SIGNING_KEY"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new LinkSigner(config("   ", false)));

        LinkSigner one = new LinkSigner(config(null, true));
        LinkSigner other = new LinkSigner(config(null, true));
        String token = one.sign(linkId, expiresAt);
        assertEquals(linkId, one.verify(token).orElseThrow().linkId());
        assertTrue(other.verify(token).isEmpty(), "each throwaway key is new: links die with the process");
        assertNotEquals(token, other.sign(linkId, expiresAt));
    }
}
