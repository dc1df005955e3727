package dev.oauthgw.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

/** Which failures are the database being out of reach (503 with Retry-After), and which are ours (500). */
class DatabaseUnavailableTest {

    @Test
    void a_pool_with_no_connection_free_in_time_is_a_503_not_a_500() {
        // Agroal 3 (Quarkus 3.33), wrapped the way the gateway's own JDBC reads wrap it
        assertTrue(ProblemMapper.databaseUnavailable(new IllegalStateException("Could not read the grant of partner p",
                new SQLException("Sorry, acquisition timeout!"))));
        // Agroal 2
        assertTrue(ProblemMapper.databaseUnavailable(new SQLException("Acquisition timeout while waiting for new connection")));
        // through Hibernate
        assertTrue(ProblemMapper.databaseUnavailable(new RuntimeException("Unable to acquire JDBC Connection [x]")));
    }

    @Test
    void an_sql_error_of_ours_stays_a_500() {
        assertFalse(ProblemMapper.databaseUnavailable(new IllegalStateException("Could not read",
                new SQLException("column \"x\" does not exist", "42703"))));
    }
}
