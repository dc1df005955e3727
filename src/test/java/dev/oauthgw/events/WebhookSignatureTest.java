package dev.oauthgw.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The signature header, without Quarkus. */
class WebhookSignatureTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void signature_is_hmac_sha256_hex_of_the_body_rfc4231_case_2() {
        assertEquals("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                WebhookSignature.header(b("Jefe"), b("what do ya want for nothing?")));
    }

    @Test
    void signature_verifies_and_a_tampered_body_or_wrong_secret_does_not() {
        byte[] secret = b("receiver-shared-secret-123");
        byte[] body = b("{\"id\": \"1\", \"type\": \"REVOKED\"}");
        String header = WebhookSignature.header(secret, body);
        assertTrue(WebhookSignature.verify(secret, body, header));
        assertTrue(WebhookSignature.verify(secret, body, header.toUpperCase().replace("SHA256=", "sha256=")));
        assertFalse(WebhookSignature.verify(secret, b("{\"id\": \"1\", \"type\": \"RECOVERED\"}"), header));
        assertFalse(WebhookSignature.verify(b("another-secret-entirely"), body, header));
        assertFalse(WebhookSignature.verify(secret, body, null));
        assertFalse(WebhookSignature.verify(secret, body, header.substring("sha256=".length())));
    }
}
