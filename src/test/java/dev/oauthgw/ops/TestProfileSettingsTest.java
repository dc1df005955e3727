package dev.oauthgw.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The test profile's own settings live in src/test/resources/application.properties, outside the packaged
 * application; Quarkus reads that file together with the main one. This keeps it so.
 */
@QuarkusTest
class TestProfileSettingsTest {

    @Test
    void the_test_resources_file_is_read_beside_the_main_one() {
        var config = ConfigProvider.getConfig();
        // from src/test/resources/application.properties
        assertEquals(Boolean.TRUE, config.getValue("quarkus.flyway.clean-at-start", Boolean.class));
        assertEquals("viewer", config.getValue("gateway.ops.users.viewer.roles", String.class));
        // from src/main/resources/application.properties
        assertEquals("pax8-oauth-gateway", config.getValue("quarkus.application.name", String.class));
        assertEquals(Boolean.FALSE, config.getValue("gateway.tokens.require-partners-claim", Boolean.class));
    }
}
