package dev.oauthgw.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

/** Plain unit tests of HTTP Basic client credentials (no Quarkus). */
class BasicCredentialsTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void basic_credentials_are_url_decoded_after_base64() {
        String header = "Basic " + Base64.getEncoder().encodeToString(utf8("my%3Aclient:s%C3%A9cret%2B%3A"));
        BasicCredentials c = BasicCredentials.parse(header);
        assertEquals("my:client", c.clientId());
        assertEquals("sécret+:", c.clientSecret());
        assertFalse(c.toString().contains("sécret"));
        assertNull(BasicCredentials.parse("Bearer abc"));
        assertNull(BasicCredentials.parse(null));
        OAuthError e = assertThrows(OAuthError.class, () -> BasicCredentials.parse("Basic !!!"));
        assertTrue(e.basicChallenge());
        assertThrows(OAuthError.class,
                () -> BasicCredentials.parse("Basic " + Base64.getEncoder().encodeToString(utf8("no-colon"))));
    }
}
