package dev.oauthgw.prod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.oauthgw.testing.JarDatabases;

/**
 * A complete prod-profile configuration for running the packaged jar in tests: a database of its own (made on the
 * configured server, else on a local one, and dropped after the test class: {@link JarDatabases}), random keys, https
 * URLs and a JWT verification key. Public for the benchmarks of the packaged jar (dev.oauthgw.bench).
 */
public final class ProdConfig {

    /** The dashboard account of the prod runs: {@link #OPS_USER} with a random password. */
    static final String OPS_USER = "alice";
    static final String OPS_PASSWORD = "prod-" + randomKey();
    private static final String OPS_HASH = dev.oauthgw.ops.signin.OpsPasswords.hash(OPS_PASSWORD);
    /** Callers' JWTs: the jar verifies with the public key ({@code GATEWAY_JWT_PUBLIC_KEY_LOCATION}). */
    private static final KeyPair JWT_KEYS = jwtKeys();

    private ProdConfig() {
    }

    /**
     * Settings as environment variables, the way an operator gives them, with a new empty database of the test
     * class's own: every call makes another one (dropped after the class). Jars that must share a database (replicas)
     * are all started with the map of one call. Only inside a class annotated {@code @PackagedJarTest}.
     */
    public static Map<String, String> env() {
        return env(JarDatabases.forTestClass());
    }

    /**
     * Makes the schema in the database of {@code env} now, with the migrations the jar runs at its start (Flyway,
     * db/migration): for a test that writes rows before its first jar starts (a new database is empty). The jar then
     * finds the schema up to date.
     */
    public static void migrate(Map<String, String> env) {
        org.flywaydb.core.Flyway.configure()
                .dataSource(env.get("QUARKUS_DATASOURCE_JDBC_URL"), env.get("QUARKUS_DATASOURCE_USERNAME"),
                        env.get("QUARKUS_DATASOURCE_PASSWORD"))
                .locations("classpath:db/migration").load().migrate();
    }

    /** Settings as environment variables, on {@code db}. */
    static Map<String, String> env(JarDatabases.Database db) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", db.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", db.password());
        env.put("GATEWAY_CRYPTO_KEYRING", "1:" + randomKey());
        env.put("GATEWAY_ONBOARDING_LINK_SIGNING_KEY", randomKey());
        env.put("GATEWAY_ONBOARDING_PUBLIC_URL", "https://gateway.example.test");
        env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_ID", "prod-client");
        env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET", "prod-secret-" + randomKey());
        env.put("GATEWAY_JWT_ISSUER", "https://issuer.example.test");
        env.put("GATEWAY_JWT_PUBLIC_KEY_LOCATION", publicKeyPem().toString());
        env.put("GATEWAY_OPS_SESSION_KEY", randomKey());
        env.put("GATEWAY_OPS_USERS_ALICE_PASSWORD_HASH", OPS_HASH);
        // the same list the deployment manifests are checked against (dev.oauthgw.deploy)
        List<String> missing = ProdSettings.missing(env.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("ProdConfig lacks prod settings " + missing);
        }
        return env;
    }

    /** The same settings as system properties (for @QuarkusIntegrationTest, which passes -D options), on {@code db}. */
    static Map<String, String> properties(JarDatabases.Database db) {
        Map<String, String> props = new LinkedHashMap<>();
        env(db).forEach((k, v) -> props.put(toProperty(k), v));
        // the management interface (/q/*) on a free port too, never the shared default 9000
        props.put("quarkus.management.port", "0");
        return props;
    }

    private static String toProperty(String env) {
        return switch (env) {
            case "QUARKUS_DATASOURCE_JDBC_URL" -> "quarkus.datasource.jdbc.url";
            case "QUARKUS_DATASOURCE_USERNAME" -> "quarkus.datasource.username";
            case "QUARKUS_DATASOURCE_PASSWORD" -> "quarkus.datasource.password";
            case "GATEWAY_CRYPTO_KEYRING" -> "gateway.crypto.keyring";
            case "GATEWAY_ONBOARDING_LINK_SIGNING_KEY" -> "gateway.onboarding.link-signing-key";
            case "GATEWAY_ONBOARDING_PUBLIC_URL" -> "gateway.onboarding.public-url";
            case "GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_ID" -> "gateway.provider.registrations.pax8.client-id";
            case "GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET" -> "gateway.provider.registrations.pax8.client-secret";
            case "GATEWAY_JWT_ISSUER" -> "mp.jwt.verify.issuer";
            case "GATEWAY_JWT_PUBLIC_KEY_LOCATION" -> "mp.jwt.verify.publickey.location";
            case "GATEWAY_OPS_SESSION_KEY" -> "quarkus.http.auth.session.encryption-key";
            case "GATEWAY_OPS_USERS_ALICE_PASSWORD_HASH" -> "gateway.ops.users.alice.password-hash";
            default -> throw new IllegalArgumentException(env);
        };
    }

    /**
     * Starts the packaged jar in the prod profile with exactly {@code env} (nothing of this JVM's QUARKUS_ or
     * GATEWAY_ variables), output to {@code log}; port 0 picks a free one. The management interface always takes a
     * free port ({@link #managementUrl} finds it).
     * <p>
     * Free ports are chosen here and handed over as numbers, as in production (8080 and 9000): with both the public
     * and the management port at 0, Quarkus 3.33.2 registers the Micrometer gauge http.server.active.connections twice
     * and Micrometer logs "This Gauge has been already registered" at WARN (quarkusio/quarkus#50040); with fixed
     * ports it does not, and a prod start logs nothing at WARN (JsonLogsInProdIT).
     */
    public static Process launch(Map<String, String> env, Path log, int port) throws IOException {
        return launch(env, log, port, List.of());
    }

    /** {@link #launch(Map, Path, int)} with more JVM options (heap, flight recorder) before {@code -jar}. */
    public static Process launch(Map<String, String> env, Path log, int port, List<String> jvmOptions) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("package the application first (mvn verify does)");
        }
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dquarkus.http.port=" + (port == 0 ? freePort() : port),
                "-Dquarkus.management.port=" + freePort()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("GATEWAY_"));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    /**
     * Waits until the jar started by {@link #launch} says where it listens (it binds a free port when given 0):
     * its base URL, {@code http://127.0.0.1:<port>}.
     */
    public static String awaitListening(Process app, Path log) throws IOException, InterruptedException {
        return awaitListening(app, log, Duration.ofSeconds(60));
    }

    /** {@link #awaitListening(Process, Path)}, waiting at most {@code timeout} (a benchmark on a busy machine). */
    public static String awaitListening(Process app, Path log, Duration timeout) throws IOException, InterruptedException {
        Pattern listening = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = listening.matcher(out);
            if (m.find()) {
                return "http://127.0.0.1:" + m.group(1);
            }
            if (!app.isAlive()) {
                throw new AssertionError("the gateway did not start:\n" + out);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the gateway did not start within " + timeout.toSeconds() + " s:\n" + Files.readString(log, StandardCharsets.UTF_8));
    }

    /**
     * The management interface's base URL, {@code http://127.0.0.1:<port>}, once the jar started by {@link #launch}
     * logged it (call after {@link #awaitListening}: the same start-up line names both ports).
     */
    public static String managementUrl(Path log) throws IOException {
        Matcher m = Pattern.compile("Management interface listening on http://[^:]+:(\\d+)")
                .matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new AssertionError("no management interface in:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return "http://127.0.0.1:" + m.group(1);
    }

    /**
     * A caller JWT signed with the key whose public half {@link #env()} hands the jar (RS256, issuer and audience of
     * the prod configuration). {@code extraClaims} is raw JSON members, e.g. {@code "partners":["*"]}, or empty; a
     * negative {@code issuedAt} leaves {@code iat} out.
     */
    public static String callerJwt(String subject, String role, long issuedAt, long expiresAt, String extraClaims) {
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":\"https://issuer.example.test\",\"aud\":\"pax8-oauth-gateway\",\"upn\":\"" + subject
                + "\",\"sub\":\"" + subject + "\",\"groups\":[\"" + role + "\"]," + (issuedAt < 0 ? "" : "\"iat\":" + issuedAt + ",")
                + "\"exp\":" + expiresAt + (extraClaims.isEmpty() ? "" : "," + extraClaims) + "}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(JWT_KEYS.getPrivate());
            rsa.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    private static KeyPair jwtKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path publicKeyPem() {
        try {
            String pem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(JWT_KEYS.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            Path dir = Path.of("target", "prod-it");
            Files.createDirectories(dir);
            Path file = dir.resolve("jwt-public.pem").toAbsolutePath();
            Files.writeString(file, pem);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
