package dev.oauthgw.tokens;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.eclipse.microprofile.config.ConfigProvider;

/** What the token cache's @QuarkusTests share: the test's own connections, the listener's backend, waiting. */
final class CacheTestSupport {

    private CacheTestSupport() {
    }

    /** A connection of the test's own (not the pool's), to the database the application uses. */
    static Connection connect() throws SQLException {
        var c = ConfigProvider.getConfig();
        return DriverManager.getConnection(c.getValue("quarkus.datasource.jdbc.url", String.class),
                c.getOptionalValue("quarkus.datasource.username", String.class).orElse(null),
                c.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
    }

    /** Ends this process's listening backend from the database's side ({@code pg_terminate_backend}). */
    static int terminateListener() throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?")) {
            ps.setString(1, GrantChangeListener.APPLICATION_NAME + " " + ProcessHandle.current().pid());
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    n += rs.getBoolean(1) ? 1 : 0;
                }
            }
            return n;
        }
    }

    /** Polls the condition until it holds, failing past the deadline. */
    static void await(BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
