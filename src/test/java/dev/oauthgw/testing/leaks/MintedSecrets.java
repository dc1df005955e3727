package dev.oauthgw.testing.leaks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The registry of every secret the test run made or used: tokens the sandbox issued, JWTs the tests minted,
 * configured secrets. One value a line, appended to {@code target/test-logs/minted-secrets.txt}: a file and not
 * a static set, because Quarkus restarts the application (and its class loader) between test profiles. After the
 * run, {@link LogSecretScan} looks for each of them in the application's log file.
 */
public final class MintedSecrets {

    /** Where the test profile writes the application log (application.properties, %test.quarkus.log.file.path). */
    public static final Path DIR = Path.of("target", "test-logs");
    public static final Path FILE = DIR.resolve("minted-secrets.txt");

    private MintedSecrets() {
    }

    /** Records {@code value} (ignored when null, shorter than 12 characters or multi-line) and returns it. */
    public static synchronized String record(String value) {
        if (value == null || value.length() < LogSecretScan.MIN_LENGTH || value.indexOf('\n') >= 0
                || value.indexOf('\r') >= 0) {
            return value;
        }
        try {
            Files.createDirectories(DIR);
            Files.writeString(FILE, value + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return value;
    }
}
