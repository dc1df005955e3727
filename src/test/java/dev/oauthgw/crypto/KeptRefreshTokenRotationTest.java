package dev.oauthgw.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.grant.GrantService;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.provider.TokenClient;
import dev.oauthgw.refresh.GrantRefresher;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.GrantFactory;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The new refresh token an abandoned refresh kept ({@code refresh_attempt.refresh_token}, V7) is one of the sealed
 * values of key rotation (issue 18, point 6): the key-usage report counts it, re-encryption moves it to the new
 * primary, and once the old key is retired the abandoned attempt still resolves: the grant adopts the kept token and
 * refreshes with it, and the provider sees no reuse. Before, the kept token stayed under the old key, unseen by the
 * report, and retiring that key made the grant's next refresh token unreadable.
 * <p>
 * Shares the application with other test classes: its keys stay in the ring afterwards (values re-encrypted under
 * them must still open), the original primary comes back, its grant is revoked.
 */
@QuarkusTest
class KeptRefreshTokenRotationTest {

    @Inject
    TokenCipher cipher;
    @Inject
    KeyRotationService rotation;
    @Inject
    GrantRefresher refresher;
    @Inject
    TokenClient tokens;
    @Inject
    ProviderRegistry providers;
    @Inject
    SandboxCounters sandboxCounters;
    @Inject
    GrantFactory factory;
    @Inject
    Db db;

    private static final byte[] KEY_1 = CryptoTestKeys.randomKey();
    private static final byte[] KEY_2 = CryptoTestKeys.randomKey();

    private Keyring original;
    private int key1;
    private int key2;
    private GrantFactory.Made grant;

    @BeforeEach
    void remember_the_ring() {
        original = cipher.keyring();
        key1 = original.keyIds().last() + 1;
        key2 = key1 + 1;
    }

    @AfterEach
    void restore_the_ring_and_revoke_the_grant() {
        cipher.reload(original.withKey(key1, KEY_1).withKey(key2, KEY_2));
        if (grant != null) {
            db.update("delete from refresh_attempt where grant_id = ?", grant.grantId());
            db.update("update partner_grant set state = 'REVOKED', refresh_due_at = null where id = ?", grant.grantId());
        }
    }

    @Test
    void an_abandoned_refresh_survives_retiring_the_key_its_kept_token_was_sealed_under() throws Exception {
        cipher.reload(original.withKey(key1, KEY_1).withPrimary(key1));
        grant = factory.create("keptrot");
        UUID id = grant.grantId();
        long reuse = sandboxCounters.reuseDetections();

        // a replica died right after it kept the provider's answer: the provider has rotated the refresh token
        String presented = storedRefreshToken(id);
        String rotated = tokens.refresh(providers.get("pax8"), presented).refreshToken().orElseThrow();
        Sealed kept = cipher.seal(rotated, GrantService.refreshAd(id)); // as GrantRefresher seals it
        assertEquals(key1, kept.keyId());
        db.update("insert into refresh_attempt (grant_id, started_at, owner, trigger, presented_sha256, refresh_token, "
                + "refresh_token_key_id, answered_at) values (?, now(), 'killed-replica', 'SCHEDULED', ?, ?, ?, now())",
                id, sha256(presented), kept.ciphertext(), kept.keyId());

        assertEquals(3, rotation.keyUsage().count(key1),
                "key 1 seals the grant's access and refresh token and the kept refresh token");

        cipher.reload(cipher.keyring().withKey(key2, KEY_2).withPrimary(key2));
        ReencryptionReport report = rotation.reencryptAll();
        assertTrue(report.reencrypted().get("refresh_attempt.refresh_token") >= 1, report.toString());
        Map<String, Object> attempt = db.one("select refresh_token_key_id from refresh_attempt where grant_id = ?", id);
        assertEquals(key2, attempt.get("refresh_token_key_id"), "the kept token is under the new primary");
        KeyUsage usage = rotation.keyUsage();
        assertEquals(0, usage.count(key1), usage.toString());
        assertTrue(usage.canRetire(key1), usage.toString());

        cipher.reload(cipher.keyring().without(key1)); // key 1 retired

        assertEquals(GrantRefresher.Resolution.RECOVERED, refresher.resolveAbandoned(id, Duration.ofSeconds(5), null));
        assertEquals(rotated, storedRefreshToken(id), "the grant adopted the kept token");
        GrantRefresher.Outcome next = refresher.refresh(id, g -> true, GrantRefresher.Trigger.FORCED, Duration.ofSeconds(5));
        assertNull(next.failure(), "refreshed with the kept token");
        assertEquals("ACTIVE", db.one("select state from partner_grant where id = ?", id).get("state"));
        assertEquals(reuse, sandboxCounters.reuseDetections(), "the provider saw no refresh token twice");
    }

    private String storedRefreshToken(UUID grantId) {
        Map<String, Object> r = db.one("select refresh_token, refresh_token_key_id from partner_grant where id = ?", grantId);
        return cipher.open(new Sealed((byte[]) r.get("refresh_token"), (Integer) r.get("refresh_token_key_id")),
                GrantService.refreshAd(grantId));
    }

    private static byte[] sha256(String token) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    }
}
