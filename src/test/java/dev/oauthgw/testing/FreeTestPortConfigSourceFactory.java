package dev.oauthgw.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Test profile only: the port the application under test listens on, chosen free before Quarkus starts.
 * <p>
 * application.properties says {@code quarkus.http.test-port=0} (any free port) and builds the test profile's
 * public URL from it: {@code %test.gateway.onboarding.public-url=http://localhost:${quarkus.http.test-port}}. The
 * sandbox provider's URLs, the webhook URL, the OIDC issuer and the sandbox clients' redirect URIs follow from
 * that URL. Quarkus could bind port 0 by itself, but it publishes the port it got (the system property
 * {@code quarkus.http.test-port}) only after binding, while the application reads those URLs into its
 * configuration mappings at start, before: they would say {@code http://localhost:0}. So this factory turns the 0
 * into a concrete free port before the configuration is read.
 * <p>
 * The choice is made once per JVM (kept in a system property, which every class loader of the test run sees),
 * so every configuration built in this JVM (the application's, each restart for a test profile, the tests' own)
 * names the same port. A port given explicitly ({@code -Dquarkus.http.test-port=18381},
 * {@code QUARKUS_HTTP_TEST_PORT}) is used as given, and so is the port Quarkus publishes after binding.
 * <p>
 * {@link StaticInitSafe}: the configuration of the static-init phase must see the port as well; beans that read
 * a URL then (e.g. the OIDC issuer) would otherwise keep {@code http://localhost:0}, and Quarkus refuses to start.
 */
@StaticInitSafe
public final class FreeTestPortConfigSourceFactory implements ConfigSourceFactory {

    static final String TEST_PORT = "quarkus.http.test-port";
    /** Just above application.properties (250): environment variables (300) and system properties (400) win. */
    static final int ORDINAL = 260;
    /** Where this JVM's choice is kept. */
    static final String CHOSEN = "dev.oauthgw.testing.free-test-port";
    /**
     * Candidates lie below the kernels' ephemeral ranges (Linux 32768-60999, IANA 49152-65535): the kernel hands
     * them to no socket on its own (outgoing connections, binds to port 0) between this check and Quarkus' bind.
     */
    private static final int FIRST = 20000;
    private static final int COUNT = 12000;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!context.getProfiles().contains("test")) {
            return List.of();
        }
        ConfigValue given = context.getValue(TEST_PORT);
        if (given != null && given.getValue() != null && !given.getValue().isBlank() && !"0".equals(given.getValue().trim())) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(Map.of(TEST_PORT, String.valueOf(port())), "gateway-free-test-port",
                ORDINAL));
    }

    /** This JVM's test port: chosen at the first call, the same afterwards. */
    public static int port() {
        String chosen = System.getProperty(CHOSEN);
        if (chosen == null) {
            System.getProperties().putIfAbsent(CHOSEN, String.valueOf(freePort()));
            chosen = System.getProperty(CHOSEN);
        }
        return Integer.parseInt(chosen);
    }

    static int freePort() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 100; i++) {
            int port = FIRST + random.nextInt(COUNT);
            if (free(port)) {
                return port;
            }
        }
        try (ServerSocket any = new ServerSocket(0)) {
            return any.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port for the test server", e);
        }
    }

    /** Nobody listens on {@code port}, on any address (the test server binds all of them). */
    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
