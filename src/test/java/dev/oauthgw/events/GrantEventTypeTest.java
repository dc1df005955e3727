package dev.oauthgw.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.oauthgw.grant.GrantState;

/** Which state changes are events, and what an event may carry, without Quarkus. */
class GrantEventTypeTest {

    @Test
    void state_changes_map_to_events() {
        assertEquals(Optional.of(GrantEventType.REFRESH_FAILING),
                GrantEventType.forTransition(GrantState.ACTIVE, GrantState.REFRESH_FAILING));
        assertEquals(Optional.of(GrantEventType.REAUTH_REQUIRED),
                GrantEventType.forTransition(GrantState.REFRESH_FAILING, GrantState.REAUTH_REQUIRED));
        assertEquals(Optional.of(GrantEventType.REAUTH_REQUIRED),
                GrantEventType.forTransition(GrantState.ACTIVE, GrantState.REAUTH_REQUIRED));
        assertEquals(Optional.of(GrantEventType.RECOVERED),
                GrantEventType.forTransition(GrantState.REFRESH_FAILING, GrantState.ACTIVE));
        assertEquals(Optional.of(GrantEventType.RECOVERED),
                GrantEventType.forTransition(GrantState.REAUTH_REQUIRED, GrantState.ACTIVE));
        assertEquals(Optional.of(GrantEventType.REVOKED),
                GrantEventType.forTransition(GrantState.ACTIVE, GrantState.REVOKED));
    }

    @Test
    void onboarding_and_no_ops_are_not_events() {
        assertTrue(GrantEventType.forTransition(GrantState.PENDING, GrantState.ACTIVE).isEmpty());
        assertTrue(GrantEventType.forTransition(GrantState.ACTIVE, GrantState.ACTIVE).isEmpty());
        assertTrue(GrantEventType.forTransition(GrantState.REFRESH_FAILING, GrantState.REFRESH_FAILING).isEmpty());
    }

    @Test
    void detail_keys_that_look_like_credentials_are_refused_at_any_depth() {
        EventPublisher.checkDetail(Map.of("from", "ACTIVE", "to", "REVOKED", "reason", "operator"));
        assertThrows(IllegalArgumentException.class, () -> EventPublisher.checkDetail(Map.of("access_token", "x")));
        assertThrows(IllegalArgumentException.class, () -> EventPublisher.checkDetail(Map.of("Client_Secret", "x")));
        assertThrows(IllegalArgumentException.class,
                () -> EventPublisher.checkDetail(Map.of("provider", Map.of("refreshToken", "x"))));
    }
}
