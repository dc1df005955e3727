package dev.oauthgw.testing;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.oauthgw.devdb.LocalDatabase;

/**
 * A database of its own for every packaged-jar test: created empty (the jar's Flyway makes the schema) on the
 * configured PostgreSQL server ({@code QUARKUS_DATASOURCE_JDBC_URL}, {@code _USERNAME}, {@code _PASSWORD}; the user
 * needs CREATEDB) or, without one, on this JVM's local PostgreSQL ({@link LocalDatabase}), and dropped again
 * ({@code DROP DATABASE ... WITH (FORCE)}, PostgreSQL 13 or later). So no jar meets a grant, a {@code refresh_attempt}
 * or any other row that another test left, sealed under another test's keyring (the cause of issue 18's red CI).
 * <p>
 * As a JUnit 5 extension (wired through {@link PackagedJarTest} and {@link ImageTest}) it opens a scope per test
 * class: {@link #forTestClass()} hands out databases inside it, and after the class (after its {@code @AfterAll}
 * methods) every one of them is dropped. {@code ProdConfig.env()} outside such a class is refused, so a test cannot
 * fall back to a shared database by forgetting the annotation. A test that starts several jars on one database
 * (replicas) calls {@code ProdConfig.env()} once and hands the same settings to each.
 * <p>
 * {@link #create} and {@link #drop} are for owners of their own lifetime ({@code ProdConfigResource} of the
 * {@code @QuarkusIntegrationTest}s). A database still there when the JVM ends (a run stopped half-way) is dropped
 * by a shutdown hook; only a JVM that is killed leaves one behind, named {@code gw_it_<test>_<random>}.
 */
public final class JarDatabases implements BeforeAllCallback, AfterAllCallback {

    /** A database made for one test, and the coordinates a jar connects with. */
    public record Database(String name, String jdbcUrl, String username, String password) {
        @Override
        public String toString() {
            return "Database[" + name + "]"; // no password
        }
    }

    /** The server the databases are made on: the configured one, else the local one. */
    private record Server(String jdbcUrl, String username, String password) {
    }

    /** What {@link #forTestClass()} says outside a test class that has this extension. */
    public static final String OUTSIDE = "A packaged-jar test gets a database of its own only inside a test class "
            + "annotated @PackagedJarTest (its extension drops the database after the class)";

    private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/?]+)(/[^?]*)?(\\?.*)?");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The databases of one running test class. */
    private record Scope(String testClass, List<Database> databases) {
    }

    /** Every database made and not dropped yet, in this JVM. */
    private static final Set<Database> LIVE = new LinkedHashSet<>();
    /** The running test classes, innermost first (a class may run another, or have @Nested ones); classes run one at a time. */
    private static final Deque<Scope> RUNNING = new ArrayDeque<>();
    private static boolean hookAdded;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (LIVE) {
            RUNNING.push(new Scope(context.getRequiredTestClass().getSimpleName(), new ArrayList<>()));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<Database> mine;
        synchronized (LIVE) {
            mine = RUNNING.pop().databases();
        }
        RuntimeException failed = null;
        for (Database db : mine) {
            try {
                drop(db);
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * A new, empty database for the running test class, dropped after it.
     *
     * @throws IllegalStateException outside a class annotated with {@link PackagedJarTest} (or {@link ImageTest})
     */
    public static Database forTestClass() {
        Scope scope;
        synchronized (LIVE) {
            scope = RUNNING.peek();
        }
        if (scope == null) {
            throw new IllegalStateException(OUTSIDE);
        }
        Database db = create(scope.testClass());
        synchronized (LIVE) {
            scope.databases().add(db);
        }
        return db;
    }

    /** A new, empty database named after {@code label}, which the caller drops with {@link #drop}. */
    public static Database create(String label) {
        Server server = server();
        String name = "gw_it_" + label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_")
                .replaceAll("^(.{0,30}).*$", "$1") + "_" + HexFormat.of().formatHex(randomBytes(5));
        execute(server, "create database " + name);
        Database db = new Database(name, withDatabase(server.jdbcUrl(), name), server.username(), server.password());
        synchronized (LIVE) {
            LIVE.add(db);
            if (!hookAdded) {
                Runtime.getRuntime().addShutdownHook(new Thread(JarDatabases::dropLeftovers, "jar-databases-drop"));
                hookAdded = true;
            }
        }
        return db;
    }

    /** Drops the database, closing whatever connections are still open to it (a jar that was not stopped). */
    public static void drop(Database db) {
        execute(server(), "drop database if exists " + db.name() + " with (force)");
        synchronized (LIVE) {
            LIVE.remove(db);
        }
    }

    /** True when the database exists on the server (for the tests of this class). */
    public static boolean exists(String name) {
        Server s = server();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.username(), s.password());
                var ps = c.prepareStatement("select count(*) from pg_database where datname = ?")) {
            ps.setString(1, name);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not look for database " + name + ": " + e.getMessage(), e);
        }
    }

    /** The database a {@code jdbc:postgresql://host[:port]/database} URL names. */
    public static String databaseOf(String url) {
        Matcher m = URL.matcher(url);
        if (!m.matches() || m.group(2) == null || m.group(2).length() < 2) {
            throw new IllegalArgumentException("Not a jdbc:postgresql://host[:port]/database URL: " + url);
        }
        return m.group(2).substring(1);
    }

    /** {@code url} with its database replaced by {@code database} (the host list and parameters kept). */
    static String withDatabase(String url, String database) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("Not a jdbc:postgresql://host[:port]/database URL: " + url);
        }
        return m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
    }

    private static void dropLeftovers() {
        List<Database> left;
        synchronized (LIVE) {
            left = new ArrayList<>(LIVE);
        }
        for (Database db : left) {
            try {
                drop(db);
            } catch (RuntimeException e) {
                // the JVM is ending (the local server may be stopping too): nothing more to do
            }
        }
    }

    private static Server server() {
        String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        if (url != null && !url.isBlank()) {
            return new Server(url, System.getenv().getOrDefault("QUARKUS_DATASOURCE_USERNAME", ""),
                    System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", ""));
        }
        LocalDatabase local = LocalDatabase.obtain();
        return new Server(local.jdbcUrl(), local.username(), local.password());
    }

    private static void execute(Server server, String sql) {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.username(), server.password());
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not run '" + sql + "' on " + withoutParameters(server.jdbcUrl())
                    + " (the packaged-jar tests need a user that may create databases): " + e.getMessage(), e);
        }
    }

    private static String withoutParameters(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
