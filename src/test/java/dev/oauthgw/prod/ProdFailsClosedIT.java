package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.PackagedJarTest;

/**
 * The packaged jar in the prod profile refuses to start when a secret is missing or a URL is not
 * https, says which setting, and prints no secret value.
 */
@PackagedJarTest
class ProdFailsClosedIT {

    private record Run(int exitCode, String output) {
    }

    private static Run start(Map<String, String> env) throws IOException, InterruptedException {
        Path log = Files.createTempFile("prod-start", ".log");
        Process p = ProdConfig.launch(env, log, 0);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(Integer.MIN_VALUE, Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static void refuses(String remove, String setOrNull, String value, String expectedMessage)
            throws Exception {
        Map<String, String> env = ProdConfig.env();
        String secret = env.get("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET");
        String keyring = env.get("GATEWAY_CRYPTO_KEYRING");
        if (remove != null) {
            env.remove(remove);
        }
        if (setOrNull != null) {
            env.put(setOrNull, value);
        }
        Run run = start(env);
        assertNotEquals(Integer.MIN_VALUE, run.exitCode(), "the application started instead of refusing:\n" + run.output());
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains(expectedMessage), "expected '" + expectedMessage + "' in:\n" + run.output());
        assertFalse(run.output().contains(secret), "client secret printed");
        assertFalse(run.output().contains(keyring.substring(2)), "key printed");
    }

    @Test
    void refuses_to_start_without_the_crypto_keyring() throws Exception {
        refuses("GATEWAY_CRYPTO_KEYRING", null, null, "GATEWAY_CRYPTO_KEYRING");
    }

    @Test
    void refuses_to_start_without_the_client_secret() throws Exception {
        refuses("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET", null, null,
                "GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET");
    }

    @Test
    void refuses_to_start_without_the_link_signing_key() throws Exception {
        refuses("GATEWAY_ONBOARDING_LINK_SIGNING_KEY", null, null, "GATEWAY_ONBOARDING_LINK_SIGNING_KEY");
    }

    @Test
    void refuses_to_start_with_a_plain_http_public_url() throws Exception {
        refuses(null, "GATEWAY_ONBOARDING_PUBLIC_URL", "http://gateway.example.test", "must use https");
    }

    @Test
    void refuses_to_start_without_a_jwt_verification_key() throws Exception {
        refuses("GATEWAY_JWT_PUBLIC_KEY_LOCATION", null, null, "GATEWAY_JWT_PUBLIC_KEY_LOCATION");
    }

    @Test
    void refuses_to_start_with_a_jwt_key_location_over_plain_http() throws Exception {
        refuses(null, "GATEWAY_JWT_PUBLIC_KEY_LOCATION", "http://keys.example.test/jwks.json",
                "GATEWAY_JWT_PUBLIC_KEY_LOCATION must use https");
    }

    @Test
    void refuses_to_start_in_the_dev_profile() throws Exception {
        refuses(null, "QUARKUS_PROFILE", "dev", "runs with the prod profile only, and the active profile is dev");
    }

    /** The test profile cleans the database at start: the jar must refuse before it touches it. */
    @Test
    void refuses_to_start_in_the_test_profile_and_leaves_the_database_alone() throws Exception {
        Map<String, String> env = ProdConfig.env();
        String table = "failclosed_sentinel_" + Long.toHexString(System.nanoTime());
        try (Connection c = connect(env); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + table + " (id int)");
        }
        try {
            env.put("QUARKUS_PROFILE", "test");
            Run run = start(env);
            assertNotEquals(Integer.MIN_VALUE, run.exitCode(), "the application started instead of refusing:\n" + run.output());
            assertNotEquals(0, run.exitCode(), run.output());
            assertTrue(run.output().contains("runs with the prod profile only, and the active profile is test"), run.output());
            assertFalse(run.output().contains("Flyway"), "Flyway ran:\n" + run.output());
            try (Connection c = connect(env); ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
                assertTrue(rs.next(), "the database was cleaned");
            }
        } finally {
            try (Connection c = connect(env); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    private static Connection connect(Map<String, String> env) throws Exception {
        return DriverManager.getConnection(env.get("QUARKUS_DATASOURCE_JDBC_URL"), env.get("QUARKUS_DATASOURCE_USERNAME"),
                env.get("QUARKUS_DATASOURCE_PASSWORD"));
    }

    @Test
    void refuses_to_start_without_a_dashboard_account() throws Exception {
        refuses("GATEWAY_OPS_USERS_ALICE_PASSWORD_HASH", null, null, "GATEWAY_OPS_USERS_<NAME>_PASSWORD_HASH");
    }

    @Test
    void refuses_to_start_with_the_documented_dev_password() throws Exception {
        refuses(null, "GATEWAY_OPS_USERS_ALICE_PASSWORD_HASH",
                dev.oauthgw.ops.signin.OpsPasswords.hash(dev.oauthgw.ops.signin.OpsPasswords.DEV_PASSWORD), "documented dev password");
    }

    @Test
    void refuses_to_start_without_a_session_key_shared_by_the_replicas() throws Exception {
        refuses("GATEWAY_OPS_SESSION_KEY", null, null, "GATEWAY_OPS_SESSION_KEY");
    }

    @Test
    void refuses_to_start_when_sign_in_at_the_identity_provider_is_half_configured() throws Exception {
        Map<String, String> env = ProdConfig.env();
        env.remove("GATEWAY_OPS_USERS_ALICE_PASSWORD_HASH");
        env.put("GATEWAY_OPS_OIDC_ENABLED", "true");
        env.put("GATEWAY_OPS_OIDC_ISSUER", "https://login.vendor.invalid");
        env.put("GATEWAY_OPS_OIDC_CLIENT_ID", "gateway");
        env.put("GATEWAY_OPS_OIDC_CLIENT_SECRET", "an-oidc-client-secret-for-this-test");
        Run run = start(env);
        assertNotEquals(Integer.MIN_VALUE, run.exitCode(), "the application started instead of refusing:\n" + run.output());
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("GATEWAY_OPS_OIDC_OPERATOR_GROUPS"), run.output());
        assertFalse(run.output().contains("an-oidc-client-secret-for-this-test"), "OIDC client secret printed");
    }

    /** A platform team learns every missing setting from one failed start, not one per attempt. */
    @Test
    void names_every_missing_variable_in_one_error() throws Exception {
        Map<String, String> env = ProdConfig.env();
        String secret = env.get("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET");
        env.remove("GATEWAY_CRYPTO_KEYRING");
        env.remove("GATEWAY_ONBOARDING_PUBLIC_URL");
        env.remove("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_ID");
        Run run = start(env);
        assertNotEquals(Integer.MIN_VALUE, run.exitCode(), "the application started instead of refusing:\n" + run.output());
        assertNotEquals(0, run.exitCode(), run.output());
        int at = run.output().indexOf("The gateway is not configured completely");
        assertTrue(at >= 0, run.output());
        String error = run.output().substring(at);
        for (String variable : List.of("GATEWAY_CRYPTO_KEYRING", "GATEWAY_ONBOARDING_PUBLIC_URL",
                "GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_ID")) {
            assertTrue(error.contains(variable), "expected " + variable + " in:\n" + error);
        }
        assertFalse(run.output().contains(secret), "client secret printed");
    }

    /** The built-in pax8 registration needs no credentials when the default registration is another one. */
    @Test
    void starts_without_pax8_credentials_when_another_registration_is_the_default() throws Exception {
        Map<String, String> env = ProdConfig.env();
        env.remove("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_ID");
        env.remove("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET");
        env.put("GATEWAY_PROVIDER_DEFAULT_REGISTRATION", "acme");
        env.put("GATEWAY_PROVIDER_REGISTRATIONS_ACME_AUTHORIZE_URL", "https://idp.example.test/authorize");
        env.put("GATEWAY_PROVIDER_REGISTRATIONS_ACME_TOKEN_URL", "https://idp.example.test/token");
        env.put("GATEWAY_PROVIDER_REGISTRATIONS_ACME_REDIRECT_URI", "https://gateway.example.test/onboarding/callback");
        env.put("GATEWAY_PROVIDER_REGISTRATIONS_ACME_DIALECT", "rfc6749");
        env.put("GATEWAY_PROVIDER_REGISTRATIONS_ACME_AUDIENCE", "none");
        env.put("GATEWAY_PROVIDER_REGISTRATIONS_ACME_CLIENT_ID", "acme-client");
        env.put("GATEWAY_PROVIDER_REGISTRATIONS_ACME_CLIENT_SECRET", "acme-secret-" + ProdConfig.randomKey());
        Path log = Files.createTempFile("prod-start", ".log");
        Process p = ProdConfig.launch(env, log, 0);
        try {
            ProdConfig.awaitListening(p, log);
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }
}
