package dev.oauthgw.proxy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads the proxy's access records: who called what for a partner, most recent first (the grant's dashboard page). */
@ApplicationScoped
public class ProxyUse {

    /** One (caller, method, path template) of a partner. */
    public record Entry(String caller, String method, String pathTemplate, long calls, Instant firstAt, Instant lastAt,
            Integer lastStatus) {
    }

    private final AgroalDataSource dataSource;

    public ProxyUse(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<Entry> recent(String partnerId, int limit) {
        List<Entry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select caller, method, path_template, calls, first_at, last_at, last_status from proxy_access "
                        + "where partner_id = ? order by last_at desc limit ?")) {
            ps.setString(1, partnerId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int status = rs.getInt(7);
                    out.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                            rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant(),
                            rs.wasNull() ? null : status));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the proxy use of partner " + partnerId, e);
        }
        return out;
    }
}
