package dev.oauthgw.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.agroal.api.AgroalDataSource;
import dev.oauthgw.tokens.TokenCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Raw SQL for assertions that must not go through the application's own mapping. */
@ApplicationScoped
public class Db {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    TokenCache tokenCache;

    public List<Map<String, Object>> query(String sql, Object... args) {
        try (Connection c = ((DataSource) dataSource).getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public Map<String, Object> one(String sql, Object... args) {
        List<Map<String, Object>> rows = query(sql, args);
        if (rows.size() != 1) {
            throw new AssertionError("expected one row, got " + rows.size() + " for " + sql);
        }
        return rows.get(0);
    }

    public long count(String sql, Object... args) {
        return ((Number) one(sql, args).values().iterator().next()).longValue();
    }

    /** A connection of the application's pool (the caller closes it). */
    public Connection connection() throws SQLException {
        return ((DataSource) dataSource).getConnection();
    }

    /**
     * Runs the statement and then drops this replica's token cache: a test that changes a grant behind the
     * application's back reads its change at once, rather than after the database's announcement arrives
     * (TokenCacheTest proves the announcements themselves, without this).
     */
    public int update(String sql, Object... args) {
        try (Connection c = ((DataSource) dataSource).getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            int n = ps.executeUpdate();
            tokenCache.flush();
            return n;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
