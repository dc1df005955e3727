package dev.oauthgw.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The refreshable states, without Quarkus. */
class GrantStateTest {

    @Test
    void only_active_and_failing_grants_are_refreshable() {
        assertEquals("[ACTIVE, REFRESH_FAILING]",
                Arrays.stream(GrantState.values()).filter(GrantState::refreshable).toList().toString());
    }

    @Test
    void the_sql_list_of_refreshable_states_says_the_same() {
        assertEquals(Arrays.stream(GrantState.values()).filter(GrantState::refreshable).map(s -> "'" + s + "'")
                .collect(Collectors.joining(", ")), GrantState.REFRESHABLE_SQL);
    }
}
