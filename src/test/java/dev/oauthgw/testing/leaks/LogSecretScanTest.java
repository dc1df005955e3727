package dev.oauthgw.testing.leaks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan that fails the build when a secret of the test run is in the log really finds one. It works on a
 * directory of its own: the planted secret never reaches the real log or the real registry.
 */
class LogSecretScanTest {

    @TempDir
    Path dir;

    @Test
    void a_planted_secret_in_the_log_is_found() throws IOException {
        String secret = "planted-" + UUID.randomUUID();
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0." + "S".repeat(20) + UUID.randomUUID().toString().replace("-", "");
        Files.writeString(dir.resolve(LogSecretScan.SECRETS), secret + "\n" + jwt + "\nshort\n");
        Files.writeString(dir.resolve("quarkus.log"), "2026-01-01 INFO fine\n2026-01-01 WARN refresh failed for "
                + "token=" + secret + " (caller x)\n");
        Files.writeString(dir.resolve("quarkus.log.1"), "rotated: signature " + jwt.substring(jwt.lastIndexOf('.') + 1)
                + "\n");

        LogSecretScan.Result r = LogSecretScan.scan(dir);

        assertEquals(2, r.logFiles());
        assertEquals(2, r.leaks().size(), r.leaks().toString());
        assertEquals(2, r.leaks().get(0).line(), "the line of the leak");
        assertFalse(r.leaks().toString().contains(secret), "the report does not repeat the secret");
    }

    @Test
    void a_clean_log_passes_and_short_values_are_not_secrets() throws IOException {
        Files.writeString(dir.resolve(LogSecretScan.SECRETS), "sandbox-only-secret-not-for-production\nshort\n");
        Files.writeString(dir.resolve("quarkus.log"), "INFO short short sandbox-only-secret-not-for-prod\n");

        LogSecretScan.Result r = LogSecretScan.scan(dir);

        assertEquals(1, r.secrets());
        assertTrue(r.leaks().isEmpty(), r.leaks().toString());
    }

    @Test
    void the_build_step_fails_when_secrets_were_recorded_but_there_is_no_log() throws Exception {
        Files.writeString(dir.resolve(LogSecretScan.SECRETS), "sandbox-only-secret-not-for-production\n");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LogSecretScan.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(1, p.waitFor(), out);
        Files.writeString(dir.resolve("quarkus.log"), "x sandbox-only-secret-not-for-production y\n");
        p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LogSecretScan.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        out = new String(p.getInputStream().readAllBytes());
        assertEquals(1, p.waitFor(), out);
        assertTrue(out.contains("1 secrets of the test run are in the log"), out);
        assertFalse(out.contains("sandbox-only-secret-not-for-production"), out);
    }
}
