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

    /**
     * Records {@code value} (ignored when null or shorter than 12 characters) and returns it. A multi-line value (a
     * PEM key) is recorded line by line: each of its lines in the log would give it away.
     */
    public static synchronized String record(String value) {
        if (value == null || value.length() < LogSecretScan.MIN_LENGTH) {
            return value;
        }
        StringBuilder lines = new StringBuilder();
        for (String line : value.split("[\r\n]+")) {
            String l = line.strip();
            if (l.length() >= LogSecretScan.MIN_LENGTH && !l.startsWith("-----")) {
                lines.append(l).append('\n');
            }
        }
        try {
            Files.createDirectories(DIR);
            Files.writeString(FILE, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return value;
    }
}
