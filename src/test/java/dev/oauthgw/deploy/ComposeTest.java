package dev.oauthgw.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import dev.oauthgw.prod.ProdSettings;

/**
 * The one-host Compose setup (deploy/compose): the file parses (duplicate keys refused), runs two gateway replicas,
 * PostgreSQL and nginx in front of both, gives every replica every setting the prod profile requires, takes each
 * secret from .env (its template .env.example holds placeholders only) and names nothing .env.example lacks.
 */
class ComposeTest {

    static final Path COMPOSE = Path.of("deploy", "compose");
    /** ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message} */
    static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Z0-9_]+)(:?[-?])?([^}]*)}");

    @SuppressWarnings("unchecked")
    static Map<String, Object> compose() throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object doc = new Yaml(new SafeConstructor(options)).load(Files.readString(COMPOSE.resolve("compose.yaml"), StandardCharsets.UTF_8));
        assertTrue(doc instanceof Map, "compose.yaml is a mapping");
        return (Map<String, Object>) doc;
    }

    static Map<String, String> envExample() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(COMPOSE.resolve(".env.example"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            assertTrue(eq > 0, ".env.example: not KEY=VALUE: " + line);
            String value = line.substring(eq + 1);
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1);
            }
            assertEquals(null, env.put(line.substring(0, eq), value), ".env.example: twice " + line.substring(0, eq));
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services() throws IOException {
        return (Map<String, Map<String, Object>>) compose().get("services");
    }

    static List<String> gateways(Map<String, Map<String, Object>> services) {
        return services.entrySet().stream().filter(e -> String.valueOf(e.getValue().get("image")).contains("pax8-oauth-gateway"))
                .map(Map.Entry::getKey).toList();
    }

    @Test
    void twoReplicasPostgresAndALoadBalancer() throws IOException {
        Map<String, Map<String, Object>> services = services();
        assertEquals(Set.of("postgres", "gateway-1", "gateway-2", "nginx"), services.keySet());
        assertEquals(List.of("gateway-1", "gateway-2"), gateways(services));
        for (String g : gateways(services)) {
            Map<String, Object> s = services.get(g);
            assertEquals("185", String.valueOf(s.get("user")), g + ": the image's non-root uid");
            assertEquals(Boolean.TRUE, s.get("read_only"), g + ": read-only root file system");
            assertEquals(List.of("/tmp"), s.get("tmpfs"), g + ": a writable /tmp");
            assertEquals(List.of("ALL"), s.get("cap_drop"), g);
            assertTrue(String.valueOf(s.get("depends_on")).contains("service_healthy"), g + ": waits for PostgreSQL");
            // only the management port is published, and on the loopback interface only
            for (Object port : (List<?>) s.get("ports")) {
                assertTrue(String.valueOf(port).matches("127\\.0\\.0\\.1:\\d+:9000"), g + ": publishes " + port);
            }
        }
        assertNotNull(services.get("postgres").get("healthcheck"), "postgres: a health check the gateways wait for");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyReplicaGetsEveryProdSettingAndSecretsFromDotEnv() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Map<String, String> example = envExample();
        for (String g : gateways(services)) {
            Map<String, Object> env = (Map<String, Object>) services.get(g).get("environment");
            assertNotNull(env, g + ": environment as a mapping");
            assertEquals(List.of(), ProdSettings.missing(env.keySet()), g + ": prod settings it does not get");
            env.forEach((name, v) -> {
                String value = String.valueOf(v);
                if (ProdSettings.isSecret(name) && !name.equals("QUARKUS_DATASOURCE_JDBC_URL")) {
                    assertTrue(value.matches("\\$\\{" + name + ":\\?[^}]*}"), g + ": " + name + " must be ${" + name + ":?...} (from .env, required)");
                    assertTrue(example.containsKey(name), ".env.example lacks " + name);
                }
            });
            assertTrue(String.valueOf(env.get("QUARKUS_DATASOURCE_JDBC_URL")).startsWith("jdbc:postgresql://postgres:5432/"),
                    g + ": the compose PostgreSQL");
            assertTrue(String.valueOf(env.get("GATEWAY_ONBOARDING_PUBLIC_URL")).contains("https://"), g + ": an https public URL");
        }
        // every reference without a default is in .env.example
        Matcher m = REFERENCE.matcher(Files.readString(COMPOSE.resolve("compose.yaml")));
        Set<String> referenced = new TreeSet<>();
        while (m.find()) {
            referenced.add(m.group(1));
            if (!"-".equals(m.group(2)) && !":-".equals(m.group(2))) {
                assertTrue(example.containsKey(m.group(1)), ".env.example lacks " + m.group(1));
            }
        }
        assertTrue(referenced.containsAll(example.keySet()), ".env.example has keys compose.yaml never reads: "
                + new TreeSet<>(example.keySet()).stream().filter(k -> !referenced.contains(k)).toList());
        // placeholders only
        example.forEach((k, v) -> {
            if (ProdSettings.isSecret(k) || k.contains("SECRET") || k.contains("PASSWORD")) {
                assertTrue(v.isEmpty() || v.contains("<"), ".env.example: " + k + " must be a <placeholder>, not a value");
            }
        });
        assertTrue(Files.readString(COMPOSE.resolve(".gitignore")).lines().anyMatch(".env"::equals), ".env is ignored by git");
    }

    @Test
    @SuppressWarnings("unchecked")
    void nginxBalancesOverBothReplicasPublicPort() throws IOException {
        Map<String, Map<String, Object>> services = services();
        List<String> volumes = (List<String>) services.get("nginx").get("volumes");
        assertTrue(volumes.contains("./nginx.conf:/etc/nginx/nginx.conf:ro"), "nginx: the config file is mounted");
        String conf = Files.readString(COMPOSE.resolve("nginx.conf"));
        Matcher m = Pattern.compile("(?m)^\\s*server\\s+([^\\s;{]+:\\d+)").matcher(conf);
        List<String> upstream = new ArrayList<>();
        while (m.find()) {
            upstream.add(m.group(1));
        }
        assertEquals(gateways(services).stream().map(g -> g + ":8080").toList(), upstream, "nginx upstream: each replica's public port");
        assertTrue(conf.contains("location /q/ {\n      return 404;"), "nginx: /q/* is never proxied");
        assertTrue(conf.contains("listen 8443 ssl;"), "nginx: TLS");
        long open = conf.chars().filter(c -> c == '{').count();
        assertEquals(open, conf.chars().filter(c -> c == '}').count(), "nginx.conf: braces balance");
        assertFalse(conf.contains("access_log /"), "nginx: no access log (URLs carry codes)");
    }
}
