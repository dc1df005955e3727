package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;


import dev.oauthgw.crypto.AssociatedData;
import dev.oauthgw.crypto.EncryptedColumn;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TestCiphers;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.testing.PackagedJarTest;

/**
 * The packaged jar, prod profile, killed with SIGKILL right after it read a refresh answer (the provider had
 * already rotated the refresh token) and before it stored the answer: after a restart the grant refreshes with
 * the new refresh token and the provider, an independent OAuth server in this test that revokes the whole family
 * when a refresh token comes back (as Auth0 does), sees no reuse.
 * <p>
 * What is deterministic, and why:
 * <ul>
 * <li>Where the kill lands: the test holds a lock on {@code audit_event} before it makes the grant due, so the
 * jar's transaction that would store the answer waits at its audit record, after the new refresh token was
 * committed on its own connection; the test kills only once it sees that token in {@code refresh_attempt}.</li>
 * <li>What the restarted jar meets: the database is this test's own ({@code ProdConfig.env()}, dropped after the
 * class), so it holds this one grant and this one abandoned attempt, sealed under this test's keyring, and nothing
 * another test left (before, a grant or attempt of an earlier test, sealed under that test's key, could take the
 * restarted jar's tick and make this test time out).</li>
 * </ul>
 * What is left to timing is bounded and polled for: when the first jar's scheduler (a tick a second) picks the
 * grant up (at most 30 s); when the restarted jar takes the attempt over, which it may only once the claim's lease
 * ({@code answer-lost-after}, ADR 0020) has run out since the attempt started: {@value #LEASE} here, with
 * connect and request timeouts short enough for the start-up check to allow it; then it resolves the attempt and
 * refreshes (at most 45 s from its start in all) and deletes the row (at most 10 s). Nothing waits a fixed time.
 */
@PackagedJarTest
class RefreshCrashIT {

    /** The claim's lease: longer than the request timeout (3 s, the total deadline) + 0.5 s + store-lock-wait (10 s). */
    static final String LEASE = "PT15S";

    @Test
    void a_replica_killed_after_the_provider_rotated_loses_nothing_and_the_provider_sees_no_reuse() throws Exception {
        Map<String, String> env = ProdConfig.env();
        try (RotatingProvider provider = new RotatingProvider();
                Connection db = DriverManager.getConnection(env.get("QUARKUS_DATASOURCE_JDBC_URL"),
                        env.get("QUARKUS_DATASOURCE_USERNAME"), env.get("QUARKUS_DATASOURCE_PASSWORD"))) {
            env.put("GATEWAY_PROVIDER_REQUIRE_HTTPS", "false"); // the test's provider speaks plain http on loopback
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_TOKEN_URL", provider.tokenUrl());
            env.put("GATEWAY_REFRESH_TICK", "1s");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CONNECT_TIMEOUT", "PT1S");
            env.put("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_REQUEST_TIMEOUT", "PT3S");
            env.put("GATEWAY_REFRESH_ANSWER_LOST_AFTER", LEASE);
            TokenCipher cipher = TestCiphers.forKeyring(env.get("GATEWAY_CRYPTO_KEYRING"));

            Path log1 = Files.createTempFile("refresh-crash-1", ".log");
            Process first = ProdConfig.launch(env, log1, 0);
            UUID grantId;
            String oldRefresh = provider.newFamily();
            try {
                ProdConfig.awaitListening(first, log1); // Flyway has migrated the schema
                grantId = insertGrant(db, cipher, oldRefresh);
                try (Connection blocker = DriverManager.getConnection(env.get("QUARKUS_DATASOURCE_JDBC_URL"),
                        env.get("QUARKUS_DATASOURCE_USERNAME"), env.get("QUARKUS_DATASOURCE_PASSWORD"))) {
                    blocker.setAutoCommit(false);
                    blocker.createStatement().execute("lock table audit_event in share mode");
                    update(db, "update partner_grant set refresh_due_at = now() where id = ?", grantId);
                    await(Duration.ofSeconds(30), () -> keptTokenOf(db, grantId) != null,
                            "the jar kept the rotated refresh token", log1);
                    first.destroyForcibly(); // SIGKILL while its transaction waits at the audit record
                    assertTrue(first.waitFor(30, TimeUnit.SECONDS));
                    blocker.rollback();
                }
            } finally {
                first.destroyForcibly();
            }
            assertEquals(1, provider.refreshes.get(), "the provider rotated once");
            assertEquals(0, provider.reuses.get());
            assertEquals(oldRefresh, refreshTokenOf(db, cipher, grantId), "the answer was never stored in the grant");
            assertNotNull(keptTokenOf(db, grantId), "but its new refresh token is in refresh_attempt, sealed");

            Path log2 = Files.createTempFile("refresh-crash-2", ".log");
            Process second = ProdConfig.launch(env, log2, 0); // the restart (or any other replica)
            try {
                ProdConfig.awaitListening(second, log2);
                await(Duration.ofSeconds(45), () -> provider.refreshes.get() >= 2,
                        "the restarted jar refreshed the grant", log2);
                await(Duration.ofSeconds(10), () -> count(db, "select count(*) from refresh_attempt where grant_id = ?",
                        grantId) == 0, "the abandoned attempt was resolved", log2);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
            assertEquals(0, provider.reuses.get(), "the provider never saw a refresh token twice");
            assertEquals("ACTIVE", one(db, "select state from partner_grant where id = ?", grantId));
            assertEquals(1, count(db, "select count(*) from audit_event where grant_id = ? and action = "
                    + "'REFRESH_ANSWER_RECOVERED'", grantId));
            String log = Files.readString(log2, StandardCharsets.UTF_8) + Files.readString(log1, StandardCharsets.UTF_8);
            assertTrue(!log.contains(oldRefresh), "no refresh token in the logs");
        }
    }

    static UUID insertGrant(Connection db, TokenCipher cipher, String refreshToken) throws Exception {
        UUID id = UUID.randomUUID();
        String partner = "crash-" + id.toString().substring(0, 8);
        Timestamp now = Timestamp.from(Instant.now());
        update(db, "insert into partner (id, display_name, created_by, created_at, updated_at) values (?, ?, 'test', ?, ?)",
                partner, "Crash Test Ltd", now, now);
        Sealed access = cipher.seal("at-initial-" + id, ad(EncryptedColumn.GRANT_ACCESS_TOKEN, id));
        Sealed refresh = cipher.seal(refreshToken, ad(EncryptedColumn.GRANT_REFRESH_TOKEN, id));
        update(db, "insert into partner_grant (id, partner_id, registration, state, state_since, provider_subject, scope, "
                + "access_token, access_token_key_id, refresh_token, refresh_token_key_id, access_expires_at, "
                + "refresh_due_at, refresh_failures, created_at, updated_at, version) values (?, ?, 'pax8', 'ACTIVE', ?, "
                + "'crash|1', 'Manage:Pax8Data', ?, ?, ?, ?, ?, ?, 0, ?, ?, 0)", id, partner, now,
                access.ciphertext(), access.keyId(), refresh.ciphertext(), refresh.keyId(),
                Timestamp.from(Instant.now().plus(Duration.ofHours(20))), Timestamp.from(Instant.now().plus(Duration.ofHours(12))),
                now, now);
        return id;
    }

    private static AssociatedData ad(EncryptedColumn column, UUID grantId) {
        return column.associatedData(grantId);
    }

    private static String refreshTokenOf(Connection db, TokenCipher cipher, UUID grantId) throws Exception {
        try (PreparedStatement ps = db.prepareStatement("select refresh_token, refresh_token_key_id from partner_grant where id = ?")) {
            ps.setObject(1, grantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return cipher.open(new Sealed(rs.getBytes(1), rs.getInt(2)),
                        ad(EncryptedColumn.GRANT_REFRESH_TOKEN, grantId));
            }
        }
    }

    private static byte[] keptTokenOf(Connection db, UUID grantId) {
        try (PreparedStatement ps = db.prepareStatement("select refresh_token from refresh_attempt where grant_id = ?")) {
            ps.setObject(1, grantId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static long count(Connection db, String sql, Object... args) {
        return Long.parseLong(one(db, sql, args));
    }

    static String one(Connection db, String sql, Object... args) {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void update(Connection db, String sql, Object... args) throws Exception {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static void await(Duration max, BooleanSupplier done, String what, Path log) throws Exception {
        long until = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < until) {
            if (done.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting until " + what + "; the jar's log:\n"
                + Files.readString(log, StandardCharsets.UTF_8));
    }
}
