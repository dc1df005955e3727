package dev.oauthgw.prod;

import java.util.Map;

import dev.oauthgw.testing.JarDatabases;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Hands the packaged jar a complete prod configuration, on a database of its own that {@link #stop()} drops.
 * Quarkus calls {@code stop()} just before it stops the jar, so the drop closes the jar's last connections
 * ({@code WITH (FORCE)}); the test is over by then.
 */
public class ProdConfigResource implements QuarkusTestResourceLifecycleManager {

    private JarDatabases.Database database;

    @Override
    public Map<String, String> start() {
        database = JarDatabases.create("quarkus_it");
        return ProdConfig.properties(database);
    }

    @Override
    public void stop() {
        if (database != null) {
            JarDatabases.drop(database);
            database = null;
        }
    }
}
