package dev.oauthgw.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.oauthgw.testing.ImageTarball;
import dev.oauthgw.testing.ImageTest;

/**
 * The container image verify built with Jib (target/image/pax8-oauth-gateway-image.tar, on the Debian-made JRE 17
 * base; ADR 0017), opened as an archive, no container engine needed: it starts java -jar quarkus-run.jar with the
 * container JVM flags, as a non-root numeric user, exposes the public and the management port, holds no secret and
 * no test code in any layer, and puts the dependencies in layers below the application's classes.
 */
@ImageTest
class ImageArchiveIT {

    /**
     * A PEM private key of any kind (RSA, EC, PKCS#8, encrypted, OpenSSH): the header, then a body of base64 (libraries
     * that parse PEM hold the bare header as a constant, with no key after it).
     */
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\\s*(?:Proc-Type:[^\\n]*\\n\\s*DEK-Info:[^\\n]*\\n\\s*)?[A-Za-z0-9+/=\\s]{64,}-----END ");
    /**
     * Third-party files known to embed a throwaway private key of their own (not ours, and public): netty-handler's
     * self-signed test key for its OpenSSL probe. Matched as "jar file name prefix!/entry".
     */
    private static final List<String> KNOWN_LIBRARY_KEYS = List.of(
            "deployments/lib/main/io.netty.netty-handler-!/io/netty/handler/ssl/OpenSsl.class",
            "deployments/lib/main/io.netty.netty-handler-!/io/netty/handler/ssl/SslUtils.class",
            "deployments/lib/main/io.netty.netty-handler-!/io/netty/handler/ssl/JdkSslServerContext.class");
    /** Setting names of secrets: a %prod value of one of these must come from the environment. */
    private static final Pattern SECRET_SETTING = Pattern.compile("(?i).*(secret|password|keyring|signing-key|encryption-key|private|credential|hash).*");

    private static ImageArchive image;
    private static JsonNode container;

    @BeforeAll
    static void open() throws IOException {
        image = ImageArchive.open(ImageTarball.path());
        container = image.config.get("config");
    }

    @Test
    void runs_java_jar_quarkus_run_with_the_container_jvm_flags() {
        List<String> entrypoint = strings(container.get("Entrypoint"));
        List<String> cmd = strings(container.get("Cmd"));
        assertTrue(cmd.isEmpty(), "no Cmd after the entry point: " + cmd);
        assertEquals("java", entrypoint.get(0), "exec form, java itself is PID 1 (SIGTERM reaches it): " + entrypoint);
        assertEquals(List.of("-jar", "/deployments/quarkus-run.jar"), entrypoint.subList(entrypoint.size() - 2, entrypoint.size()),
                "the fast-jar's launcher: " + entrypoint);
        List<String> flags = entrypoint.subList(1, entrypoint.size() - 2);
        assertTrue(flags.stream().anyMatch(f -> f.matches("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?")),
                "the heap follows the container's memory limit: " + flags);
        assertTrue(flags.contains("-XX:+ExitOnOutOfMemoryError"), "an OutOfMemoryError ends the process: " + flags);
        assertTrue(flags.contains("-Djava.io.tmpdir=/tmp"), "temporary files in /tmp, the writable volume: " + flags);
        assertTrue(flags.stream().noneMatch(f -> f.contains("agentlib") || f.contains("jdwp")), "no debug agent: " + flags);
        assertEquals("/deployments", container.path("WorkingDir").asText());
    }

    @Test
    void runs_as_a_numeric_non_root_user() {
        String user = container.path("User").asText("");
        assertFalse(user.isBlank(), "no User: the container would run as root");
        String[] parts = user.split(":");
        assertTrue(parts[0].matches("\\d+"), "numeric uid (Kubernetes' runAsNonRoot checks numbers only): " + user);
        assertNotEquals(0, Integer.parseInt(parts[0]), "uid 0 is root: " + user);
        if (parts.length > 1) {
            assertTrue(parts[1].matches("\\d+") && Integer.parseInt(parts[1]) != 0, "non-root numeric gid: " + user);
        }
        // the same uid as the Kubernetes manifests' and Compose's runAsUser (DeployManifestsTest, ComposeTest)
        assertEquals("185", parts[0], user);
    }

    @Test
    void exposes_the_public_and_the_management_port() throws IOException {
        Properties app = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            app.load(in);
        }
        Set<String> expected = Set.of(app.getProperty("quarkus.http.port", "8080") + "/tcp",
                app.getProperty("quarkus.management.port", "9000") + "/tcp");
        Set<String> exposed = new TreeSet<>();
        container.path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
        assertEquals(expected, exposed);
    }

    @Test
    void dependencies_are_in_layers_below_the_application_classes() throws IOException {
        List<String> layers = image.layers();
        int boot = -1, main = -1, launcher = -1, generated = -1, app = -1;
        for (int i = 0; i < layers.size(); i++) {
            Set<String> paths = new HashSet<>();
            image.eachEntry(i, e -> paths.add(e.path()));
            if (paths.stream().anyMatch(p -> p.startsWith("deployments/lib/boot/") && p.endsWith(".jar"))) {
                boot = i;
            }
            if (paths.stream().anyMatch(p -> p.startsWith("deployments/lib/main/") && p.endsWith(".jar"))) {
                main = i;
            }
            if (paths.contains("deployments/quarkus-run.jar")) {
                launcher = i;
            }
            if (paths.stream().anyMatch(p -> p.startsWith("deployments/quarkus/") && !p.endsWith("/"))) {
                generated = i;
            }
            if (paths.stream().anyMatch(p -> p.startsWith("deployments/app/") && p.endsWith(".jar"))) {
                app = i;
            }
            if (i > 0) {
                assertTrue(paths.stream().allMatch(p -> p.startsWith("deployments")),
                        "Jib's layers hold /deployments only (its own /app layers are filtered out): " + paths);
            }
        }
        String order = "boot=" + boot + " main=" + main + " quarkus-run.jar=" + launcher + " quarkus=" + generated + " app=" + app
                + " of " + layers.size();
        assertTrue(boot > 0 && main > 0 && launcher > 0 && generated > 0 && app > 0, "every part of the fast-jar is in the image: " + order);
        assertTrue(boot < app && main < app && boot < generated && main < generated,
                "dependencies below the application's and the generated classes: " + order);
        assertTrue(boot != main && main != app && generated != app, "each part in a layer of its own: " + order);
        assertEquals(layers.size() - 1, app, "the application's classes are the top layer (the one that changes): " + order);
    }

    @Test
    void the_base_is_a_jre_17_with_a_tmp_mount_point() throws IOException {
        List<String> release = new ArrayList<>();
        Set<String> dirs = new HashSet<>();
        image.eachEntry(0, e -> {
            if (e.regular() && e.path().matches("usr/lib/jvm/[^/]+/release|opt/java/openjdk/release")) {
                release.add(new String(e.content(), StandardCharsets.UTF_8));
            }
            if (e.type() == '5') {
                dirs.add(e.path());
            }
        });
        assertTrue(release.stream().anyMatch(r -> r.contains("JAVA_VERSION=\"17.")), "a Java 17 runtime in the base: " + release);
        assertTrue(dirs.contains("tmp/") || dirs.contains("tmp"), "/tmp exists (the writable volume is mounted there)");
    }

    @Test
    void the_application_files_belong_to_root_and_are_not_writable_by_the_process() throws IOException {
        for (int i = 1; i < image.layers().size(); i++) {
            image.eachEntry(i, e -> {
                assertEquals(0, e.uid(), e.path() + " belongs to root, not to the uid the process runs as");
                assertEquals(0, e.mode() & 0022, e.path() + " writable by group or others: " + Integer.toOctalString(e.mode()));
            });
        }
    }

    @Test
    void no_secret_and_no_test_code_in_any_layer() throws IOException {
        Set<String> testClasses = testClasses();
        assertTrue(testClasses.size() > 50, "the test classes to look for: target/test-classes");
        byte[] testProperties = Files.readAllBytes(Path.of("src/test/resources/application.properties"));
        List<String> found = new ArrayList<>();
        int[] scanned = { 0, 0 };
        for (int i = 0; i < image.layers().size(); i++) {
            String layer = "layer " + i + " ";
            image.eachEntry(i, e -> {
                scanned[0]++;
                inspect(layer + "/" + e.path(), e.path(), e.regular() ? e.content() : null, testClasses, testProperties, found, scanned);
            });
        }
        assertTrue(scanned[0] > 1000 && scanned[1] > 1000, "scanned " + scanned[0] + " files and " + scanned[1] + " jar entries");
        assertEquals(List.of(), found, "secrets or test code in the image");
    }

    /** Checks one file (and, for a jar, each of its entries) by name and content. */
    private static void inspect(String where, String path, byte[] content, Set<String> testClasses, byte[] testProperties,
            List<String> found, int[] scanned) throws IOException {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.equals(".env") || name.startsWith(".env.")) {
            found.add(where + ": an env file");
        }
        if (path.contains("test-classes") || path.contains("src/test/") || path.contains("test-logs")) {
            found.add(where + ": test output or sources");
        }
        if (path.endsWith(".class")) {
            // a test class at any depth (e.g. deployments/app/dev/oauthgw/... or inside a jar)
            for (int i = -1; i < path.length(); i = path.indexOf('/', i + 1)) {
                if (testClasses.contains(path.substring(i + 1))) {
                    found.add(where + ": a test class");
                    break;
                }
                if (path.indexOf('/', i + 1) < 0) {
                    break;
                }
            }
        }
        if (content == null) {
            return;
        }
        if (Arrays.equals(content, testProperties)) {
            found.add(where + ": the test profile's application.properties");
        }
        boolean elf = content.length > 4 && content[0] == 0x7f && content[1] == 'E' && content[2] == 'L' && content[3] == 'F';
        String text = new String(content, StandardCharsets.ISO_8859_1);
        // ELF binaries (the base's shared libraries, e.g. GnuTLS's test vectors) are not where a key of ours could be
        if (!elf && !knownLibraryKey(where) && PRIVATE_KEY.matcher(text).find()) {
            found.add(where + ": a private key");
        }
        if (name.equals("application.properties")) {
            prodSecrets(where, content, found);
        }
        if (name.endsWith(".jar") || name.endsWith(".zip") || name.endsWith(".war")) {
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(content))) {
                ZipEntry z;
                while ((z = zip.getNextEntry()) != null) {
                    scanned[1]++;
                    byte[] inner = z.isDirectory() ? null : zip.readAllBytes();
                    inspect(where + "!/" + z.getName(), z.getName(), inner, testClasses, testProperties, found, scanned);
                }
            } catch (java.util.zip.ZipException notAZip) {
                found.add(where + ": unreadable archive " + notAZip.getMessage());
            }
        }
    }

    private static boolean knownLibraryKey(String where) {
        String file = where.substring(where.indexOf('/') + 1);
        for (String known : KNOWN_LIBRARY_KEYS) {
            String jar = known.substring(0, known.indexOf('!'));
            String entry = known.substring(known.indexOf('!'));
            if (file.startsWith(jar) && file.endsWith(".jar" + entry)) {
                return true;
            }
        }
        return false;
    }

    /** A %prod secret setting must come from the environment (${...}) or be empty, never a literal value. */
    private static void prodSecrets(String where, byte[] content, List<String> found) throws IOException {
        Properties p = new Properties();
        p.load(new ByteArrayInputStream(content));
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key).trim();
            boolean prod = key.startsWith("%prod.") || !key.startsWith("%");
            if (prod && SECRET_SETTING.matcher(key).matches() && !value.isEmpty() && !value.startsWith("${")
                    && !value.equals("true") && !value.equals("false")) {
                found.add(where + ": " + key + " has a literal value");
            }
        }
    }

    /** Every class the tests compiled (target/test-classes), as jar entry paths. */
    private static Set<String> testClasses() throws IOException {
        Path root = Path.of("target", "test-classes");
        Set<String> classes = new HashSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".class"))
                    .forEach(f -> classes.add(root.relativize(f).toString().replace('\\', '/')));
        }
        return classes;
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(n -> list.add(n.asText()));
        }
        return list;
    }
}
