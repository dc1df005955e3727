package dev.oauthgw.common;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.LaunchMode;

/** The packaged application runs in prod only; dev mode and tests keep their profiles (the jar: ProdFailsClosedIT). */
class ProdProfileGuardTest {

    @Test
    void the_packaged_application_refuses_dev_test_and_other_profiles() {
        for (List<String> profiles : List.of(List.of("dev"), List.of("test"), List.of("staging"), List.of("prod", "test"),
                List.of("dev", "prod"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ProdProfileGuard.refuseOtherProfiles(LaunchMode.NORMAL, profiles), profiles::toString);
            assertTrue(e.getMessage().contains("prod profile only"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> ProdProfileGuard.refuseOtherProfiles(LaunchMode.RUN, profiles));
        }
    }

    @Test
    void the_packaged_application_runs_in_prod() {
        assertDoesNotThrow(() -> ProdProfileGuard.refuseOtherProfiles(LaunchMode.NORMAL, List.of("prod")));
        assertDoesNotThrow(() -> ProdProfileGuard.refuseOtherProfiles(LaunchMode.NORMAL, List.of("prod", "eu-west")));
    }

    @Test
    void dev_mode_and_tests_are_left_alone() {
        assertDoesNotThrow(() -> ProdProfileGuard.refuseOtherProfiles(LaunchMode.DEVELOPMENT, List.of("dev")));
        assertDoesNotThrow(() -> ProdProfileGuard.refuseOtherProfiles(LaunchMode.TEST, List.of("test")));
    }
}
