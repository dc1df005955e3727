package dev.oauthgw.grant;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * How many grants are in which state and how soon the earliest access token expires: the one read behind
 * the dashboard's tiles, the admin API's counts and the grant gauges. Read-only SQL on its own connection
 * (no transaction needed); never a token.
 */
@ApplicationScoped
public class GrantStatistics {

    /**
     * @param expiringBefore how many refreshable grants have an access token expiring before
     *                       {@link Counts#expiringBefore()}
     */
    /**
     * @param keyUnavailable grants parked by a key incident: their refresh token does not decrypt with the keyring
     *                       (last refresh outcome KEY_UNAVAILABLE)
     */
    public record Counts(Map<GrantState, Long> byState, Instant expiringBefore, long expiringSoon,
            Instant earliestAccessExpiry, long keyUnavailable) {

        public long count(GrantState s) {
            return byState.getOrDefault(s, 0L);
        }

        public long total() {
            return byState.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static final String REFRESHABLE = "state in (" + GrantState.REFRESHABLE_SQL + ")";

    private final AgroalDataSource dataSource;

    public GrantStatistics(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** @throws SQLException when the database cannot be read (callers decide whether that is fatal) */
    public Counts counts(Instant expiringBefore) throws SQLException {
        Map<GrantState, Long> byState = new EnumMap<>(GrantState.class);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("select state, count(*) from partner_grant group by state");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byState.put(GrantState.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            long soon;
            try (PreparedStatement ps = c.prepareStatement("select count(*) from partner_grant where " + REFRESHABLE
                    + " and access_expires_at < ?")) {
                ps.setTimestamp(1, Timestamp.from(expiringBefore));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    soon = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select min(access_expires_at), count(*) filter (where "
                    + "last_refresh_outcome = 'KEY_UNAVAILABLE') from partner_grant where " + REFRESHABLE);
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp earliest = rs.getTimestamp(1);
                return new Counts(byState, expiringBefore, soon, earliest == null ? null : earliest.toInstant(),
                        rs.getLong(2));
            }
        }
    }
}
