package dev.oauthgw.prod;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import dev.oauthgw.crypto.EncryptedColumn;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;

/**
 * Grants for the packaged-jar tests, written straight into the jars' database (plain JDBC: no Quarkus in the test
 * JVM), sealed with the jars' keyring.
 */
final class JarGrants {

    private JarGrants() {
    }

    /**
     * A partner named {@code prefix-<8 hex>} and its ACTIVE Pax8 grant.
     *
     * @return the partner id
     */
    static String insertActive(Connection db, TokenCipher cipher, String prefix, String refreshToken,
            Instant accessExpiresAt, long lifetimeSeconds, Instant refreshDueAt) throws Exception {
        UUID id = UUID.randomUUID();
        String partner = prefix + "-" + id.toString().substring(0, 8);
        Timestamp now = Timestamp.from(Instant.now());
        update(db, "insert into partner (id, display_name, created_by, created_at, updated_at) values (?, ?, 'test', ?, ?)",
                partner, "Test " + partner, now, now);
        Sealed access = cipher.seal("at-initial-" + id, EncryptedColumn.GRANT_ACCESS_TOKEN.associatedData(id));
        Sealed refresh = cipher.seal(refreshToken, EncryptedColumn.GRANT_REFRESH_TOKEN.associatedData(id));
        update(db, "insert into partner_grant (id, partner_id, registration, state, state_since, provider_subject, scope, "
                + "access_token, access_token_key_id, refresh_token, refresh_token_key_id, access_expires_at, "
                + "access_lifetime_seconds, refresh_due_at, refresh_failures, created_at, updated_at, version) "
                + "values (?, ?, 'pax8', 'ACTIVE', ?, ?, 'Manage:Pax8Data', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0)",
                id, partner, now, prefix + "|1", access.ciphertext(), access.keyId(), refresh.ciphertext(),
                refresh.keyId(), Timestamp.from(accessExpiresAt), lifetimeSeconds, Timestamp.from(refreshDueAt), now, now);
        return partner;
    }

    static long count(Connection db, String sql, Object... args) throws Exception {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static void update(Connection db, String sql, Object... args) throws Exception {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            bind(ps, args);
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }
}
