package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

import dev.oauthgw.testing.JarDatabases;
import dev.oauthgw.testing.PackagedJarTest;

/**
 * Every packaged-jar test works on databases of its own (issue 18: a jar met a grant and a {@code refresh_attempt}
 * row that an earlier test had left in the one shared database, sealed under that test's key, and the suite went
 * red): each {@code ProdConfig.env()} makes a new empty database, a row left in one is not there to read in another,
 * and the databases of a test class are dropped after it, with whatever it left in them.
 */
@PackagedJarTest
class JarDatabasesIT {

    /**
     * A packaged-jar test that leaves an abandoned refresh attempt behind, as a killed or careless test would. Run by
     * {@link JarDatabasesIT} through the JUnit engine; failsafe does not run nested classes by itself.
     */
    @PackagedJarTest
    static class LeavesARowBehind {
        static final List<String> DATABASES = new CopyOnWriteArrayList<>();

        @Test
        void leaves_an_abandoned_refresh_attempt() throws Exception {
            Map<String, String> env = ProdConfig.env();
            DATABASES.add(JarDatabases.databaseOf(env.get("QUARKUS_DATASOURCE_JDBC_URL")));
            try (Connection db = connect(env)) {
                leaveAnAbandonedAttempt(db);
            }
        }
    }

    @Test
    void each_call_makes_a_new_empty_database_where_no_row_of_another_is_to_be_read() throws Exception {
        Map<String, String> first = ProdConfig.env();
        Map<String, String> second = ProdConfig.env();
        String a = JarDatabases.databaseOf(first.get("QUARKUS_DATASOURCE_JDBC_URL"));
        String b = JarDatabases.databaseOf(second.get("QUARKUS_DATASOURCE_JDBC_URL"));
        assertNotEquals(a, b);
        String configured = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        if (configured != null && !configured.isBlank()) {
            String shared = JarDatabases.databaseOf(configured);
            assertNotEquals(shared, a, "not the configured database");
            assertNotEquals(shared, b, "not the configured database");
        }
        assertTrue(JarDatabases.exists(a));
        assertTrue(JarDatabases.exists(b));
        try (Connection one = connect(first); Connection two = connect(second)) {
            assertEquals(0, tables(two), "a new database is empty: the jar's Flyway makes its schema");
            leaveAnAbandonedAttempt(one);
            assertEquals(1, RefreshCrashIT.count(one, "select count(*) from refresh_attempt"));
            assertEquals(0, tables(two), "the row left in the first is not in the second");
        }
    }

    @Test
    void the_databases_of_a_finished_test_class_are_dropped_with_the_rows_it_left() {
        LeavesARowBehind.DATABASES.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(LeavesARowBehind.class)).execute()
                .testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertEquals(1, LeavesARowBehind.DATABASES.size());
        assertFalse(JarDatabases.exists(LeavesARowBehind.DATABASES.get(0)),
                "the database of a finished class is gone, with the row it left");
    }

    private static Connection connect(Map<String, String> env) throws Exception {
        return DriverManager.getConnection(env.get("QUARKUS_DATASOURCE_JDBC_URL"), env.get("QUARKUS_DATASOURCE_USERNAME"),
                env.get("QUARKUS_DATASOURCE_PASSWORD"));
    }

    private static long tables(Connection db) {
        return RefreshCrashIT.count(db, "select count(*) from pg_tables where schemaname = 'public'");
    }

    /** What broke CI: a kept refresh token sealed under another test's key 1, in a table like V7's. */
    private static void leaveAnAbandonedAttempt(Connection db) throws Exception {
        RefreshCrashIT.update(db, "create table refresh_attempt (grant_id uuid primary key, owner varchar(255), "
                + "refresh_token bytea, refresh_token_key_id integer)");
        RefreshCrashIT.update(db, "insert into refresh_attempt values (?, 'a-killed-jar', ?, 1)", UUID.randomUUID(),
                new byte[] { 1, 0, 0, 0, 1 });
    }
}
