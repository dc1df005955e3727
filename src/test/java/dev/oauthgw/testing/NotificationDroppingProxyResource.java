package dev.oauthgw.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.oauthgw.devdb.LocalDatabase;
import dev.oauthgw.tokens.GrantChangeListener;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Puts a {@link NotificationDroppingProxy} between the application and its PostgreSQL (the one the test run uses
 * anyway: the configured datasource, else the JVM's local database): the pool and the token cache's listener connect
 * through it, and a test can make the listener's notifications stop arriving while its connection lives on.
 */
public class NotificationDroppingProxyResource implements QuarkusTestResourceLifecycleManager {

    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/:?,]+)(?::(\\d+))?/(.*)");
    private static volatile NotificationDroppingProxy proxy;

    /** The proxy of the running test profile. */
    public static NotificationDroppingProxy proxy() {
        NotificationDroppingProxy p = proxy;
        if (p == null) {
            throw new IllegalStateException("no NotificationDroppingProxy: the test profile does not start it");
        }
        return p;
    }

    @Override
    public Map<String, String> start() {
        String url = setting("quarkus.datasource.jdbc.url", "QUARKUS_DATASOURCE_JDBC_URL");
        String user = setting("quarkus.datasource.username", "QUARKUS_DATASOURCE_USERNAME");
        String password = setting("quarkus.datasource.password", "QUARKUS_DATASOURCE_PASSWORD");
        if (url == null) {
            LocalDatabase db = LocalDatabase.obtain();
            url = db.jdbcUrl();
            user = db.username();
            password = db.password();
        }
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalStateException("cannot put a proxy in front of this datasource URL (one host expected)");
        }
        try {
            proxy = NotificationDroppingProxy.start(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)),
                    GrantChangeListener.APPLICATION_NAME);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + m.group(3));
        if (user != null) {
            config.put("quarkus.datasource.username", user);
        }
        if (password != null) {
            config.put("quarkus.datasource.password", password);
        }
        return config;
    }

    @Override
    public void stop() {
        NotificationDroppingProxy p = proxy;
        proxy = null;
        if (p != null) {
            p.close();
        }
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v;
    }
}
