package dev.oauthgw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy's prefix may not hide the gateway's own endpoints nor be more (or less) than one plain path segment. */
class ProxyConfigTest {

    @ParameterizedTest
    @ValueSource(strings = { "proxy", "/proxy/", "pax8-api", "api.v1", "p_x" })
    void a_plain_segment_of_its_own_is_a_prefix(String prefix) {
        assertEquals(Optional.empty(), ProxyConfig.prefixProblem(prefix));
    }

    @ParameterizedTest
    @ValueSource(strings = { "tokens", "/tokens", "admin", "ops", "OPS", "onboarding", "q", "caller", "sandbox",
            "j_security_check" })
    void the_gateways_own_paths_are_refused(String prefix) {
        assertTrue(ProxyConfig.prefixProblem(prefix).orElseThrow().contains("own paths"), prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "/", "a/b", "..", ".", "%2e%2e", "pro xy", "-x", "proxy?x", "prox\\y" })
    void anything_but_one_plain_segment_is_refused(String prefix) {
        assertTrue(ProxyConfig.prefixProblem(prefix).orElseThrow().contains("one path segment"), prefix);
    }
}
