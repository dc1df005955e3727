package dev.oauthgw.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.oauthgw.events.WebhookSignature.Verdict;

/** The signature header, without Quarkus. */
class WebhookSignatureTest {

    private static final byte[] SECRET = b("receiver-shared-secret-123");
    private static final byte[] BODY = b("{\"id\": \"1\", \"type\": \"REVOKED\"}");
    private static final long T = 1_795_821_234L;
    private static final Instant AT_T = Instant.ofEpochSecond(T);
    private static final Duration FIVE_MIN = WebhookSignature.DEFAULT_TOLERANCE;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void signature_is_hmac_sha256_hex_of_timestamp_dot_body_rfc4231_case_2() {
        // RFC 4231 test case 2 signs "what do ya want for nothing?": here t="what do ya want for nothing?" is not a
        // number, so check the layout against an independently computed HMAC of "1.x" instead
        assertEquals("t=1,v1=" + java.util.HexFormat.of().formatHex(WebhookSignature.hmac(b("Jefe"), b("1.x"))),
                WebhookSignature.header(b("Jefe"), 1, b("x")));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                java.util.HexFormat.of().formatHex(WebhookSignature.hmac(b("Jefe"), b("what do ya want for nothing?"))));
    }

    @Test
    void a_fresh_signature_verifies() {
        String header = WebhookSignature.header(SECRET, T, BODY);
        assertEquals(Verdict.VALID, WebhookSignature.verify(SECRET, BODY, header, AT_T, FIVE_MIN));
        assertEquals(Verdict.VALID, WebhookSignature.verify(SECRET, BODY, header, AT_T.plusSeconds(299), FIVE_MIN));
        assertEquals(Verdict.VALID, WebhookSignature.verify(SECRET, BODY, header.toUpperCase().replace("T=", "t=")
                .replace("V1=", "v1="), AT_T, FIVE_MIN));
    }

    @Test
    void a_tampered_body_does_not_verify() {
        String header = WebhookSignature.header(SECRET, T, BODY);
        assertEquals(Verdict.MISMATCH, WebhookSignature.verify(SECRET, b("{\"id\": \"1\", \"type\": \"RECOVERED\"}"),
                header, AT_T, FIVE_MIN));
        assertEquals(Verdict.MISMATCH, WebhookSignature.verify(b("another-secret-entirely"), BODY, header, AT_T, FIVE_MIN));
    }

    @Test
    void a_tampered_timestamp_does_not_verify() {
        String old = WebhookSignature.header(SECRET, T - 3600, BODY);
        String moved = old.replace("t=" + (T - 3600), "t=" + T);
        assertEquals(Verdict.MISMATCH, WebhookSignature.verify(SECRET, BODY, moved, AT_T, FIVE_MIN));
    }

    @Test
    void a_stale_or_far_future_timestamp_is_refused_as_a_replay() {
        String header = WebhookSignature.header(SECRET, T, BODY);
        assertEquals(Verdict.STALE, WebhookSignature.verify(SECRET, BODY, header, AT_T.plusSeconds(301), FIVE_MIN));
        assertEquals(Verdict.STALE, WebhookSignature.verify(SECRET, BODY, header, AT_T.minusSeconds(301), FIVE_MIN));
    }

    @Test
    void a_missing_or_malformed_header_is_refused() {
        String header = WebhookSignature.header(SECRET, T, BODY);
        assertEquals(Verdict.MISSING_OR_MALFORMED, WebhookSignature.verify(SECRET, BODY, null, AT_T, FIVE_MIN));
        assertEquals(Verdict.MISSING_OR_MALFORMED, WebhookSignature.verify(SECRET, BODY, "sha256=" + "0".repeat(64),
                AT_T, FIVE_MIN));
        assertEquals(Verdict.MISSING_OR_MALFORMED, WebhookSignature.verify(SECRET, BODY, header.replace("t=", "t=x"),
                AT_T, FIVE_MIN));
        assertEquals(Verdict.MISSING_OR_MALFORMED, WebhookSignature.verify(SECRET, BODY, "t=" + T, AT_T, FIVE_MIN));
    }
}
