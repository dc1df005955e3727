package dev.oauthgw.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The start-up check's rules for the token cache's heartbeat (ConfigurationCheck lists them with the others). */
class TokensConfigTest {

    private static TokensConfig config(Map<String, String> settings) {
        return new SmallRyeConfigBuilder().withMapping(TokensConfig.class)
                .withSources(new PropertiesConfigSource(settings, "test", 100)).build()
                .getConfigMapping(TokensConfig.class);
    }

    @Test
    void the_defaults_are_accepted_and_documented() {
        TokensConfig c = config(Map.of());
        assertEquals(List.of(), TokensConfig.problems(c));
        assertEquals(Duration.ofSeconds(2), c.cache().heartbeatEvery());
        assertEquals(Duration.ofSeconds(10), c.cache().heartbeatTimeout());
    }

    @Test
    void a_bound_shorter_than_two_heartbeats_is_refused() {
        List<String> p = TokensConfig.problems(config(Map.of("gateway.tokens.cache.heartbeat-every", "PT5S",
                "gateway.tokens.cache.heartbeat-timeout", "PT9S")));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("GATEWAY_TOKENS_CACHE_HEARTBEAT_TIMEOUT"), p.get(0));
        assertEquals(List.of(), TokensConfig.problems(config(Map.of("gateway.tokens.cache.heartbeat-every", "PT5S",
                "gateway.tokens.cache.heartbeat-timeout", "PT10S"))));
    }

    @Test
    void a_heartbeat_of_less_than_a_second_or_a_fraction_of_one_is_refused() {
        for (String every : List.of("PT0.5S", "PT1.5S")) {
            List<String> p = TokensConfig.problems(config(Map.of("gateway.tokens.cache.heartbeat-every", every)));
            assertEquals(1, p.size(), every + ": " + p);
            assertTrue(p.get(0).contains("GATEWAY_TOKENS_CACHE_HEARTBEAT_EVERY"), p.get(0));
        }
    }

    @Test
    void nothing_is_checked_with_the_cache_off() {
        assertEquals(List.of(), TokensConfig.problems(config(Map.of("gateway.tokens.cache.enabled", "false",
                "gateway.tokens.cache.heartbeat-timeout", "PT1S"))));
    }
}
