package dev.oauthgw.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.UUID;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.grant.RefreshSchedule;

/** Seeds benchmark partners and grants (fake tokens, sealed with the gateway's cipher) with JDBC batches or COPY. */
final class BenchSeeder {

    private BenchSeeder() {
    }

    static final String PREFIX = "bench-";

    /** Removes earlier benchmark rows. */
    static void clear(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("delete from partner where id like 'bench-%'");
            c.createStatement().execute("delete from audit_event where partner_id like 'bench-%'");
            c.createStatement().execute("delete from token_access where kind = 'partner' and subject like 'bench-%'");
        }
    }

    /**
     * Seeds {@code n} partners, each with an ACTIVE grant whose access token is valid for a day.
     * All grants are "obtained" at {@code obtainedAt}, as if onboarded in the same minute.
     */
    static void seed(DataSource ds, TokenCipher cipher, int n, Instant obtainedAt) throws SQLException {
        Instant expires = obtainedAt.plus(Duration.ofDays(1));
        String filler = "x".repeat(900); // Pax8 access tokens are JWTs of about a kilobyte
        try (Connection c = ds.getConnection();
                PreparedStatement p = c.prepareStatement("insert into partner (id, display_name, created_by, created_at, "
                        + "updated_at) values (?, ?, 'bench', ?, ?)");
                PreparedStatement g = c.prepareStatement("insert into partner_grant (id, partner_id, registration, state, "
                        + "state_since, scope, access_token, access_token_key_id, refresh_token, refresh_token_key_id, "
                        + "access_expires_at, refresh_due_at, created_at, updated_at, version) values "
                        + "(?, ?, 'pax8', 'ACTIVE', ?, 'Manage:Pax8Data offline_access', ?, ?, ?, ?, ?, ?, ?, ?, 0)")) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            Timestamp now = Timestamp.from(obtainedAt);
            for (int i = 0; i < n; i++) {
                String partner = PREFIX + i;
                UUID id = UUID.randomUUID();
                p.setString(1, partner);
                p.setString(2, "Benchmark partner " + i);
                p.setTimestamp(3, now);
                p.setTimestamp(4, now);
                p.addBatch();
                Sealed at = cipher.seal("at." + partner + "." + filler, GrantService.accessAd(id));
                Sealed rt = cipher.seal("rt." + partner + "." + UUID.randomUUID(), GrantService.refreshAd(id));
                g.setObject(1, id);
                g.setString(2, partner);
                g.setTimestamp(3, now);
                g.setBytes(4, at.ciphertext());
                g.setInt(5, at.keyId());
                g.setBytes(6, rt.ciphertext());
                g.setInt(7, rt.keyId());
                g.setTimestamp(8, Timestamp.from(expires));
                g.setTimestamp(9, Timestamp.from(RefreshSchedule.dueAt(id, obtainedAt, expires)));
                g.setTimestamp(10, now);
                g.setTimestamp(11, now);
                g.addBatch();
                if (i % 1000 == 999 || i == n - 1) {
                    p.executeBatch();
                    g.executeBatch();
                    c.commit();
                }
            }
            c.setAutoCommit(auto);
            c.createStatement().execute("analyze partner");
            c.createStatement().execute("analyze partner_grant");
        }
    }

    /**
     * The same rows as {@link #seed}, written with PostgreSQL's COPY (100,000 grants in a few seconds): for a gateway
     * running elsewhere, whose cipher ({@code cipher}, made from its keyring) seals the tokens. {@code c} must be a
     * PostgreSQL connection.
     */
    static void copy(Connection c, TokenCipher cipher, int n, Instant obtainedAt) throws SQLException, java.io.IOException {
        Instant expires = obtainedAt.plus(Duration.ofDays(1));
        String filler = "x".repeat(900);
        DateTimeFormatter ts = DateTimeFormatter.ISO_INSTANT;
        String now = ts.format(obtainedAt);
        HexFormat hex = HexFormat.of();
        StringBuilder partners = new StringBuilder(n * 64);
        StringBuilder grants = new StringBuilder(n * 2_600);
        for (int i = 0; i < n; i++) {
            String partner = PREFIX + i;
            UUID id = UUID.randomUUID();
            partners.append(partner).append(",Benchmark partner ").append(i).append(",bench,").append(now).append(',')
                    .append(now).append('\n');
            Sealed at = cipher.seal("at." + partner + "." + filler, GrantService.accessAd(id));
            Sealed rt = cipher.seal("rt." + partner + "." + UUID.randomUUID(), GrantService.refreshAd(id));
            grants.append(id).append(',').append(partner).append(",pax8,ACTIVE,").append(now)
                    .append(",Manage:Pax8Data offline_access,\\x").append(hex.formatHex(at.ciphertext())).append(',')
                    .append(at.keyId()).append(",\\x").append(hex.formatHex(rt.ciphertext())).append(',').append(rt.keyId())
                    .append(',').append(ts.format(expires)).append(',')
                    .append(ts.format(RefreshSchedule.dueAt(id, obtainedAt, expires))).append(',').append(now).append(',')
                    .append(now).append(",0\n");
        }
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        copy.copyIn("copy partner (id, display_name, created_by, created_at, updated_at) from stdin (format csv)",
                new java.io.StringReader(partners.toString()));
        copy.copyIn("copy partner_grant (id, partner_id, registration, state, state_since, scope, access_token, "
                + "access_token_key_id, refresh_token, refresh_token_key_id, access_expires_at, refresh_due_at, created_at, "
                + "updated_at, version) from stdin (format csv)", new java.io.StringReader(grants.toString()));
        c.commit();
        c.setAutoCommit(auto);
        c.createStatement().execute("analyze partner");
        c.createStatement().execute("analyze partner_grant");
    }
}
