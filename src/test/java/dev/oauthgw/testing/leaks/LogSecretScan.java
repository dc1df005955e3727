package dev.oauthgw.testing.leaks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Looks for every secret of the test run ({@link MintedSecrets}) in the application's log files, and fails the
 * build when it finds one. Run by Maven after surefire (pom.xml, execution {@code scan-test-log-for-secrets}):
 * {@code java -cp target/test-classes dev.oauthgw.testing.leaks.LogSecretScan target/test-logs}; and with
 * {@code --reset} before the tests, so that a run is judged on its own log. Plain JDK, no dependency.
 *
 * <p>
 * Fails closed: a run that recorded secrets but left no log file fails (the log went elsewhere, so nothing was
 * checked). A JWT's signature alone counts as the JWT (a log line that reformats the token still shows it).
 */
public final class LogSecretScan {

    /** Shorter values are not secrets worth the false positives (and nothing the tests mint is this short). */
    public static final int MIN_LENGTH = 12;
    static final String SECRETS = "minted-secrets.txt";

    /** A secret found in a log file, and where (the secret itself is never printed, only its first characters). */
    public record Leak(Path file, long line, String secretPrefix) {
        @Override
        public String toString() {
            return file.getFileName() + ":" + line + " holds a secret of the test run starting " + secretPrefix + "...";
        }
    }

    public record Result(int secrets, int logFiles, long logBytes, List<Leak> leaks) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("--reset")) {
            Path dir = Path.of(args[1]);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
            }
            return;
        }
        if (args.length != 1) {
            System.err.println("usage: LogSecretScan [--reset] <dir>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        if (!Files.exists(dir.resolve(SECRETS))) {
            System.out.println("[log-secret-scan] no secrets recorded (no @QuarkusTest ran): nothing to check");
            return;
        }
        Result r = scan(dir);
        if (r.logFiles() == 0 || r.logBytes() == 0) {
            System.err.println("[log-secret-scan] FAILED: " + r.secrets() + " secrets were recorded but there is no "
                    + "application log in " + dir + " (is %test.quarkus.log.file.enabled still true?)");
            System.exit(1);
        }
        if (!r.leaks().isEmpty()) {
            System.err.println("[log-secret-scan] FAILED: " + r.leaks().size() + " secrets of the test run are in the log:");
            r.leaks().stream().limit(50).forEach(l -> System.err.println("  " + l));
            System.exit(1);
        }
        System.out.println("[log-secret-scan] OK: " + r.secrets() + " secrets, none in " + r.logFiles()
                + " log file(s) (" + r.logBytes() + " bytes)");
    }

    /** Scans every file of {@code dir} except the registry itself. */
    public static Result scan(Path dir) throws IOException {
        Set<String> secrets = secrets(dir.resolve(SECRETS));
        List<Path> logs;
        try (Stream<Path> files = Files.list(dir)) {
            logs = files.filter(f -> !f.getFileName().toString().equals(SECRETS)).filter(Files::isRegularFile).sorted()
                    .toList();
        }
        List<Leak> leaks = new ArrayList<>();
        long bytes = 0;
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1); // any bytes; secrets are ASCII
            bytes += text.length();
            leaks.addAll(find(log, text, secrets));
        }
        return new Result(secrets.size(), logs.size(), bytes, leaks);
    }

    static Set<String> secrets(Path registry) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        if (!Files.exists(registry)) {
            return out;
        }
        for (String line : Files.readAllLines(registry, StandardCharsets.UTF_8)) {
            String v = line.strip();
            if (v.length() < MIN_LENGTH) {
                continue;
            }
            out.add(v);
            String[] jwt = v.split("\\.", -1);
            if (jwt.length == 3 && jwt[2].length() >= 40) {
                out.add(jwt[2]);
            }
        }
        return out;
    }

    /** Every occurrence, by the secrets' first {@link #MIN_LENGTH} characters: one pass over the text. */
    static List<Leak> find(Path file, String text, Set<String> secrets) {
        Map<String, List<String>> byPrefix = new HashMap<>();
        for (String s : secrets) {
            byPrefix.computeIfAbsent(s.substring(0, MIN_LENGTH), k -> new ArrayList<>()).add(s);
        }
        List<Leak> leaks = new ArrayList<>();
        Set<String> reported = new LinkedHashSet<>();
        long line = 1;
        for (int i = 0; i + MIN_LENGTH <= text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                continue;
            }
            List<String> candidates = byPrefix.get(text.substring(i, i + MIN_LENGTH));
            if (candidates == null) {
                continue;
            }
            for (String s : candidates) {
                if (text.startsWith(s, i) && reported.add(s)) {
                    leaks.add(new Leak(file, line, s.substring(0, Math.min(6, s.length()))));
                }
            }
        }
        return leaks;
    }
}
