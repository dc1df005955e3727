package dev.oauthgw.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Rotation against the real PostgreSQL. The application (and its database) is shared with other test
 * classes: every row here has a unique id and is deleted afterwards, and the cipher gets its original
 * primary back (the extra key stays in the ring so that values rotated under it still open).
 */
@QuarkusTest
class KeyRotationServiceTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    TokenCipher cipher;

    @Inject
    KeyRotationService rotation;

    @Inject
    AgroalDataSource dataSource;

    private Keyring original;
    /** The key id a test added (kept in the ring afterwards: values of other tests may now use it). */
    private Integer addedKeyId;
    private final List<String> partners = new ArrayList<>();
    private final List<String> vendorTokens = new ArrayList<>();
    /** Every value sealed here: where it lives, and its plaintext. */
    private final Map<Place, String> plaintexts = new LinkedHashMap<>();

    /** One encrypted value: a column of a row. */
    private record Place(EncryptedColumn column, Object id) {
        AssociatedData ad() {
            return column.associatedData(id.toString());
        }
    }

    private record Stored(byte[] ciphertext, Integer keyId, Long version) {
    }

    @BeforeEach
    void remember_the_ring() {
        original = cipher.keyring();
    }

    @AfterEach
    void restore_the_ring_and_delete_our_rows() throws SQLException {
        cipher.reload(addedKeyId == null ? original : original.withKey(addedKeyId, KEY_OF_THE_DAY));
        try (Connection c = dataSource.getConnection()) {
            for (String partner : partners) {
                update(c, "delete from partner where id = ?", partner); // cascades to grant, link, pending
            }
            for (String name : vendorTokens) {
                update(c, "delete from vendor_token where name = ?", name);
            }
        }
    }

    @Test
    void reencrypts_every_column_to_the_new_primary_and_every_value_still_opens() throws SQLException {
        int oldKey = cipher.primaryKeyId();
        UUID grantA = insertGrant(true);
        UUID grantB = insertGrant(true);
        UUID grantWithoutRefresh = insertGrant(false);
        UUID pending = insertPending();
        String vendor = insertVendorToken();

        Map<Place, Stored> before = readAll();
        before.forEach((place, stored) -> assertEquals(oldKey, stored.keyId(), place.toString()));
        assertPlaintextNotInDatabase();

        int newKey = switchToNewPrimary();
        ReencryptionReport report = rotation.reencryptAll();

        assertEquals(newKey, report.primaryKeyId());
        assertTrue(report.reencrypted().get("partner_grant.access_token") >= 3, report.toString());
        assertTrue(report.reencrypted().get("partner_grant.refresh_token") >= 2, report.toString());
        assertTrue(report.reencrypted().get("pending_authorization.code_verifier") >= 1, report.toString());
        assertTrue(report.reencrypted().get("vendor_token.access_token") >= 1, report.toString());
        assertTrue(report.reencryptedByTable().get("partner_grant") >= 5, report.toString());
        assertEquals(report.failed(), report.remaining(), "only values that cannot be opened may remain");

        Map<Place, Stored> after = readAll();
        for (Map.Entry<Place, Stored> e : after.entrySet()) {
            Place place = e.getKey();
            Stored now = e.getValue();
            assertEquals(newKey, now.keyId(), place + " key id");
            assertFalse(Arrays.equals(before.get(place).ciphertext(), now.ciphertext()), place + " bytes unchanged");
            assertEquals(plaintexts.get(place), cipher.open(new Sealed(now.ciphertext(), now.keyId()), place.ad()));
        }
        assertPlaintextNotInDatabase();

        // optimistic writers notice: grant version +1 per re-encrypted column, vendor token +1
        assertEquals(before.get(new Place(EncryptedColumn.GRANT_ACCESS_TOKEN, grantA)).version() + 2,
                after.get(new Place(EncryptedColumn.GRANT_ACCESS_TOKEN, grantA)).version());
        assertEquals(before.get(new Place(EncryptedColumn.GRANT_ACCESS_TOKEN, grantWithoutRefresh)).version() + 1,
                after.get(new Place(EncryptedColumn.GRANT_ACCESS_TOKEN, grantWithoutRefresh)).version());
        assertEquals(before.get(new Place(EncryptedColumn.VENDOR_ACCESS_TOKEN, vendor)).version() + 1,
                after.get(new Place(EncryptedColumn.VENDOR_ACCESS_TOKEN, vendor)).version());
        assertNull(read(EncryptedColumn.GRANT_REFRESH_TOKEN, grantWithoutRefresh).keyId(), "a null token stays null");
        assertNotNull(grantB);
        assertNotNull(pending);

        KeyUsage usage = rotation.keyUsage();
        assertEquals(newKey, usage.primaryKeyId());
        assertTrue(usage.count(newKey) >= after.size(), usage.toString());
        if (report.failed() == 0) {
            assertEquals(0, usage.count(oldKey), usage.toString());
            assertTrue(usage.canRetire(oldKey));
        }
        assertFalse(usage.canRetire(newKey));

        // the old key can go: our values open without it
        cipher.reload(cipher.keyring().without(oldKey));
        after.forEach((place, now) -> assertEquals(plaintexts.get(place),
                cipher.open(new Sealed(now.ciphertext(), now.keyId()), place.ad())));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void a_row_locked_by_a_refresh_is_skipped_and_picked_up_by_a_later_pass() throws SQLException {
        int oldKey = cipher.primaryKeyId();
        UUID locked = insertGrant(true);
        UUID free = insertGrant(true);
        int newKey = switchToNewPrimary();

        ReencryptionReport first;
        try (Connection refresher = dataSource.getConnection()) {
            refresher.setAutoCommit(false);
            try (PreparedStatement lock = refresher.prepareStatement("select id from partner_grant where id = ? for update")) {
                lock.setObject(1, locked);
                lock.executeQuery().close();
            }
            first = rotation.reencryptAll(KeyRotationService.DEFAULT_BATCH_SIZE, 1); // must not wait for the lock
            refresher.rollback();
        }
        assertEquals(1, first.passes());
        assertTrue(first.remaining() >= 2, first.toString());
        assertEquals(oldKey, read(EncryptedColumn.GRANT_ACCESS_TOKEN, locked).keyId());
        assertEquals(oldKey, read(EncryptedColumn.GRANT_REFRESH_TOKEN, locked).keyId());
        assertEquals(newKey, read(EncryptedColumn.GRANT_ACCESS_TOKEN, free).keyId());
        assertEquals(newKey, read(EncryptedColumn.GRANT_REFRESH_TOKEN, free).keyId());

        ReencryptionReport second = rotation.reencryptAll();
        assertTrue(second.reencrypted().get("partner_grant.access_token") >= 1, second.toString());
        assertEquals(second.failed(), second.remaining());
        for (EncryptedColumn column : List.of(EncryptedColumn.GRANT_ACCESS_TOKEN, EncryptedColumn.GRANT_REFRESH_TOKEN)) {
            Stored now = read(column, locked);
            assertEquals(newKey, now.keyId());
            Place place = new Place(column, locked);
            assertEquals(plaintexts.get(place), cipher.open(new Sealed(now.ciphertext(), now.keyId()), place.ad()));
        }
    }

    @Test
    void a_value_that_cannot_be_opened_is_reported_and_left_alone_without_looping() throws SQLException {
        int oldKey = cipher.primaryKeyId();
        UUID tampered = insertGrant(false);
        UUID fine = insertGrant(false);
        Stored original = read(EncryptedColumn.GRANT_ACCESS_TOKEN, tampered);
        byte[] bytes = original.ciphertext();
        bytes[bytes.length - 1] ^= 0x01;
        try (Connection c = dataSource.getConnection()) {
            update(c, "update partner_grant set access_token = ? where id = ?", bytes, tampered);
        }
        long tamperedVersion = read(EncryptedColumn.GRANT_ACCESS_TOKEN, tampered).version(); // V14 moved it on
        int newKey = switchToNewPrimary();

        ReencryptionReport report = rotation.reencryptAll();

        assertTrue(report.failed() >= 1, report.toString());
        assertEquals(report.failed(), report.remaining(), report.toString());
        assertEquals(1, report.passes(), "no further pass when only values that cannot be opened are left");
        Stored after = read(EncryptedColumn.GRANT_ACCESS_TOKEN, tampered);
        assertEquals(oldKey, after.keyId());
        assertTrue(Arrays.equals(bytes, after.ciphertext()));
        assertEquals(tamperedVersion, after.version(), "the row was left alone");
        assertEquals(newKey, read(EncryptedColumn.GRANT_ACCESS_TOKEN, fine).keyId());
        assertTrue(rotation.keyUsage().count(oldKey) >= 1);
        assertFalse(rotation.keyUsage().canRetire(oldKey));
    }

    // --- fixtures --------------------------------------------------------------------------------

    private static final byte[] KEY_OF_THE_DAY = CryptoTestKeys.randomKey();

    /** Adds a key with a fresh id and makes it primary; returns its id. */
    private int switchToNewPrimary() {
        Keyring ring = cipher.keyring();
        int id = ring.keyIds().last() + 1;
        cipher.reload(ring.withKey(id, KEY_OF_THE_DAY).withPrimary(id));
        addedKeyId = id;
        return id;
    }

    private String insertPartner() throws SQLException {
        String id = "crypto-" + UUID.randomUUID();
        try (Connection c = dataSource.getConnection()) {
            update(c, "insert into partner (id, display_name, created_by, created_at, updated_at)"
                    + " values (?, 'Crypto test partner', 'test', now(), now())", id);
        }
        partners.add(id);
        return id;
    }

    private Sealed seal(EncryptedColumn column, Object id, String plaintext) {
        Place place = new Place(column, id);
        plaintexts.put(place, plaintext);
        return cipher.seal(plaintext, place.ad());
    }

    private UUID insertGrant(boolean withRefreshToken) throws SQLException {
        String partner = insertPartner();
        UUID id = UUID.randomUUID();
        Sealed access = seal(EncryptedColumn.GRANT_ACCESS_TOKEN, id, "access-token-" + UUID.randomUUID());
        Sealed refresh = withRefreshToken
                ? seal(EncryptedColumn.GRANT_REFRESH_TOKEN, id, "refresh-token-" + UUID.randomUUID())
                : null;
        try (Connection c = dataSource.getConnection()) {
            update(c, "insert into partner_grant (id, partner_id, registration, state, state_since, access_token,"
                    + " access_token_key_id, refresh_token, refresh_token_key_id, created_at, updated_at)"
                    + " values (?, ?, 'pax8', 'ACTIVE', now(), ?, ?, ?, ?, now(), now())",
                    id, partner, access.ciphertext(), access.keyId(),
                    refresh == null ? null : refresh.ciphertext(), refresh == null ? null : refresh.keyId());
        }
        return id;
    }

    private UUID insertPending() throws SQLException {
        String partner = insertPartner();
        UUID link = UUID.randomUUID();
        UUID id = UUID.randomUUID();
        Sealed verifier = seal(EncryptedColumn.PENDING_CODE_VERIFIER, id, "pkce-verifier-" + UUID.randomUUID());
        try (Connection c = dataSource.getConnection()) {
            update(c, "insert into onboarding_link (id, partner_id, purpose, created_by, created_at, expires_at)"
                    + " values (?, ?, 'ONBOARD', 'test', now(), now() + interval '1 hour')", link, partner);
            update(c, "insert into pending_authorization (id, state_hash, browser_hash, link_id, partner_id,"
                    + " registration, code_verifier, code_verifier_key_id, redirect_uri, created_at, expires_at)"
                    + " values (?, ?, ?, ?, ?, 'pax8', ?, ?, 'https://gateway.example/callback', now(),"
                    + " now() + interval '10 minutes')",
                    id, randomBytes(32), randomBytes(32), link, partner, verifier.ciphertext(), verifier.keyId());
        }
        return id;
    }

    private String insertVendorToken() throws SQLException {
        String name = "crypto-" + UUID.randomUUID();
        Sealed token = seal(EncryptedColumn.VENDOR_ACCESS_TOKEN, name, "vendor-token-" + UUID.randomUUID());
        try (Connection c = dataSource.getConnection()) {
            update(c, "insert into vendor_token (name, registration, audience, access_token, access_token_key_id,"
                    + " expires_at, obtained_at) values (?, 'pax8', 'api://usage', ?, ?, now() + interval '1 day', now())",
                    name, token.ciphertext(), token.keyId());
        }
        vendorTokens.add(name);
        return name;
    }

    private Stored read(EncryptedColumn column, Object id) throws SQLException {
        String sql = "select " + column.column() + ", " + column.keyIdColumn()
                + (column.versioned() ? ", version" : ", null") + " from " + column.table()
                + " where " + column.idColumn() + " = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), column + " row " + id + " missing");
                return new Stored(rs.getBytes(1), (Integer) rs.getObject(2), (Long) rs.getObject(3));
            }
        }
    }

    private Map<Place, Stored> readAll() throws SQLException {
        Map<Place, Stored> all = new LinkedHashMap<>();
        for (Place place : plaintexts.keySet()) {
            all.put(place, read(place.column(), place.id()));
        }
        return all;
    }

    /** Raw SQL: no stored bytea of ours contains the plaintext bytes. */
    private void assertPlaintextNotInDatabase() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            for (Map.Entry<Place, String> e : plaintexts.entrySet()) {
                EncryptedColumn column = e.getKey().column();
                String sql = "select position(convert_to(?, 'UTF8') in " + column.column() + ") from "
                        + column.table() + " where " + column.idColumn() + " = ?";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, e.getValue());
                    ps.setObject(2, e.getKey().id());
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals(0, rs.getInt(1), e.getKey() + " stores its plaintext");
                    }
                }
                // and the table as a whole never holds it in any encrypted column
                String anywhere = "select count(*) from " + column.table() + " where position(convert_to(?, 'UTF8') in "
                        + column.column() + ") > 0";
                try (PreparedStatement ps = c.prepareStatement(anywhere)) {
                    ps.setString(1, e.getValue());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertEquals(0, rs.getLong(1));
                    }
                }
            }
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] instanceof byte[] bytes) {
                    ps.setBytes(i + 1, bytes);
                } else {
                    ps.setObject(i + 1, params[i]);
                }
            }
            ps.executeUpdate();
        }
    }
}
