package dev.oauthgw.common;

import java.time.Instant;
import java.time.OffsetDateTime;

/** Values of native queries, whatever type the JDBC driver chose for them. */
public final class SqlValues {

    private SqlValues() {
    }

    /** A {@code timestamptz} column as an {@link Instant} ({@code null} stays null). */
    public static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        throw new IllegalArgumentException("not a timestamp: " + o.getClass());
    }
}
