package dev.oauthgw.events;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** What an event may carry, without Quarkus. (Which grant change is which event: grant.GrantLifecycleTest.) */
class EventDetailTest {

    @Test
    void detail_keys_that_look_like_credentials_are_refused_at_any_depth() {
        EventPublisher.checkDetail(Map.of("from", "ACTIVE", "to", "REVOKED", "reason", "operator"));
        assertThrows(IllegalArgumentException.class, () -> EventPublisher.checkDetail(Map.of("access_token", "x")));
        assertThrows(IllegalArgumentException.class, () -> EventPublisher.checkDetail(Map.of("Client_Secret", "x")));
        assertThrows(IllegalArgumentException.class,
                () -> EventPublisher.checkDetail(Map.of("provider", Map.of("refreshToken", "x"))));
    }
}
