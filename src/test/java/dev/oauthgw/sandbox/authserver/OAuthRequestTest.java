package dev.oauthgw.sandbox.authserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.OAuthError;

/** Plain unit tests of request parsing (no Quarkus). */
class OAuthRequestTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void form_bodies_are_decoded_and_empty_values_count_as_absent() {
        OAuthRequest r = OAuthRequest.parse("application/x-www-form-urlencoded; charset=UTF-8",
                utf8("grant_type=refresh_token&scope=a+b%20c&state=&x"));
        assertEquals(OAuthRequest.Format.FORM, r.format());
        assertEquals("refresh_token", r.get("grant_type"));
        assertEquals("a b c", r.get("scope"));
        assertNull(r.get("state"));
        assertNull(r.get("x"));
    }

    @Test
    void repeated_form_parameters_are_refused() {
        OAuthError e = assertThrows(OAuthError.class, () -> OAuthRequest.parse("application/x-www-form-urlencoded",
                utf8("code=a&code=b")));
        assertEquals("invalid_request", e.error());
        assertEquals(400, e.status());
    }

    @Test
    void json_values_must_be_strings_and_the_body_an_object() {
        assertEquals("x", OAuthRequest.parse("application/json", utf8("{\"code\":\"x\",\"n\":null}")).get("code"));
        assertThrows(OAuthError.class, () -> OAuthRequest.parse("application/json", utf8("{\"code\":1}")));
        assertThrows(OAuthError.class, () -> OAuthRequest.parse("application/json", utf8("\"code\"")));
        assertThrows(OAuthError.class, () -> OAuthRequest.parse("application/json", utf8("")));
        assertThrows(OAuthError.class, () -> OAuthRequest.parse(null, utf8("{}")));
    }

    @Test
    void error_descriptions_never_echo_odd_parameter_names() {
        OAuthError e = assertThrows(OAuthError.class,
                () -> OAuthRequest.parse("application/json", utf8("{\"<script>\":1}")));
        assertFalse(e.description().contains("<script>"));
    }

    @Test
    void secrets_never_show_in_to_string() {
        SandboxClient client = new SandboxClient("id", "super-secret", java.util.List.of("http://x/cb"),
                SandboxClient.AuthMethod.ANY, java.util.Set.of("client_credentials"), "X");
        assertFalse(client.toString().contains("super-secret"));
        assertTrue(client.secretMatches("super-secret"));
        assertFalse(client.secretMatches("super-secreT"));
        assertFalse(client.secretMatches(null));
        IssuedTokens t = new IssuedTokens("at-value", "rt-value", 1, java.time.Instant.EPOCH, "s", null);
        assertFalse(t.toString().contains("at-value") || t.toString().contains("rt-value"));
    }
}
