package dev.oauthgw.common;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Where prod may take callers' JWT keys from (on the packaged jar: ProdFailsClosedIT). */
class JwtConfigCheckTest {

    private static void check(String location) {
        new JwtConfigCheck(true, Optional.ofNullable(location), Optional.empty(), Optional.empty(),
                Optional.of("https://issuer.example.test"));
    }

    @Test
    void a_key_from_a_file_the_class_path_or_https_is_accepted() {
        assertDoesNotThrow(() -> check("/etc/gateway/jwt.pem"));
        assertDoesNotThrow(() -> check("file:/etc/gateway/jwks.json"));
        assertDoesNotThrow(() -> check("classpath:jwks.json"));
        assertDoesNotThrow(() -> check("https://login.vendor.example/.well-known/jwks.json"));
    }

    @Test
    void a_key_over_plain_http_is_refused_without_printing_the_url() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> check("HTTP://keys.vendor.example/jwks.json?key=s3cr3t"));
        assertTrue(e.getMessage().contains("GATEWAY_JWT_PUBLIC_KEY_LOCATION must use https"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }

    @Test
    void no_key_is_refused() {
        assertThrows(IllegalStateException.class, () -> check(null));
        assertThrows(IllegalStateException.class, () -> check("NONE"));
    }
}
