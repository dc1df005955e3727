package dev.oauthgw.crypto;

import static dev.oauthgw.crypto.CryptoTestKeys.base64;
import static dev.oauthgw.crypto.CryptoTestKeys.randomKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class TokenCipherTest {

    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.secret-access-token-\u00e9\u4e2d";

    private final byte[] key1 = randomKey();
    private final byte[] key2 = randomKey();
    private final Keyring ring1 = Keyring.parse("1:" + base64(key1), null);
    private final TokenCipher cipher = TokenCipher.forKeyring(ring1);
    private final UUID grant = UUID.randomUUID();
    private final AssociatedData access = EncryptedColumn.GRANT_ACCESS_TOKEN.associatedData(grant);

    @Test
    void round_trip() {
        Sealed sealed = cipher.seal(TOKEN, access);
        assertEquals(1, sealed.keyId());
        assertEquals(TOKEN, cipher.open(sealed, access));
        assertEquals("", cipher.open(cipher.seal("", access), access));
    }

    @Test
    void ciphertext_is_tink_framed_with_the_key_id_and_hides_the_plaintext() {
        byte[] ct = cipher.seal(TOKEN, access).ciphertext();
        byte[] plain = TOKEN.getBytes(StandardCharsets.UTF_8);
        assertEquals(5 + 12 + plain.length + 16, ct.length);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 1}, java.util.Arrays.copyOf(ct, 5));
        assertFalse(new String(ct, StandardCharsets.ISO_8859_1).contains("secret-access-token"));
    }

    @Test
    void ciphertext_differs_each_time() {
        Sealed a = cipher.seal(TOKEN, access);
        Sealed b = cipher.seal(TOKEN, access);
        assertNotEquals(a, b);
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(a.ciphertext(), 5, 17),
                java.util.Arrays.copyOfRange(b.ciphertext(), 5, 17)), "nonces repeat");
    }

    @Test
    void a_ciphertext_copied_to_another_row_does_not_open() {
        Sealed sealed = cipher.seal(TOKEN, access);
        AssociatedData otherGrant = EncryptedColumn.GRANT_ACCESS_TOKEN.associatedData(UUID.randomUUID());
        DecryptionFailedException e = assertThrows(DecryptionFailedException.class, () -> cipher.open(sealed, otherGrant));
        assertTrue(e.getMessage().contains("partner_grant.access_token of row " + otherGrant.rowId()), e.getMessage());
        assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-access-token"));
    }

    @Test
    void a_ciphertext_copied_to_another_column_or_table_does_not_open() {
        Sealed sealed = cipher.seal(TOKEN, access);
        assertThrows(DecryptionFailedException.class,
                () -> cipher.open(sealed, EncryptedColumn.GRANT_REFRESH_TOKEN.associatedData(grant)));
        assertThrows(DecryptionFailedException.class,
                () -> cipher.open(sealed, EncryptedColumn.PENDING_CODE_VERIFIER.associatedData(grant)));
        DecryptionFailedException e = assertThrows(DecryptionFailedException.class,
                () -> cipher.open(sealed, EncryptedColumn.VENDOR_ACCESS_TOKEN.associatedData(grant.toString())));
        assertEquals("vendor_token", e.table());
        assertEquals("access_token", e.column());
        assertEquals(grant.toString(), e.rowId());
        assertEquals(1, e.keyId());
    }

    @Test
    void a_tampered_ciphertext_does_not_open() {
        byte[] ct = cipher.seal(TOKEN, access).ciphertext();
        for (int i : new int[] {5, 17, ct.length / 2, ct.length - 1}) {
            byte[] tampered = ct.clone();
            tampered[i] ^= 0x01;
            assertThrows(DecryptionFailedException.class, () -> cipher.open(new Sealed(tampered, 1), access));
        }
        byte[] truncated = java.util.Arrays.copyOf(ct, 20);
        DecryptionFailedException e = assertThrows(DecryptionFailedException.class,
                () -> cipher.open(new Sealed(truncated, 1), access));
        assertTrue(e.getMessage().contains("not a Tink AES-GCM ciphertext"), e.getMessage());
    }

    @Test
    void a_key_id_column_that_does_not_match_the_ciphertext_is_refused() {
        TokenCipher both = TokenCipher.forKeyring(ring1.withKey(2, key2));
        Sealed sealed = both.seal(TOKEN, access);
        DecryptionFailedException e = assertThrows(DecryptionFailedException.class,
                () -> both.open(new Sealed(sealed.ciphertext(), 2), access));
        assertTrue(e.getMessage().contains("does not match the ciphertext, which names key id 1"), e.getMessage());
    }

    @Test
    void a_ciphertext_under_key_1_still_opens_after_key_2_becomes_primary() {
        Sealed old = cipher.seal(TOKEN, access);
        cipher.reload(ring1.withKey(2, key2).withPrimary(2));
        assertEquals(2, cipher.primaryKeyId());
        assertEquals(TOKEN, cipher.open(old, access));
        Sealed fresh = cipher.seal(TOKEN, access);
        assertEquals(2, fresh.keyId());
        assertEquals(2, fresh.ciphertext()[4]);
        assertEquals(TOKEN, cipher.open(fresh, access));
        // the same ring parsed from text (as after a restart) opens both
        TokenCipher restarted = TokenCipher.forKeyring(Keyring.parse("1:" + base64(key1) + ",2:" + base64(key2), null));
        assertEquals(TOKEN, restarted.open(old, access));
        assertEquals(TOKEN, restarted.open(fresh, access));
    }

    @Test
    void a_ciphertext_under_a_retired_key_fails_with_a_clear_error() {
        Sealed old = cipher.seal(TOKEN, access);
        cipher.reload(ring1.withKey(2, key2).withPrimary(2).without(1));
        DecryptionFailedException e = assertThrows(DecryptionFailedException.class, () -> cipher.open(old, access));
        assertTrue(e.getMessage().contains("key id 1 is not in the keyring [2]"), e.getMessage());
    }

    @Test
    void the_same_id_with_another_key_does_not_open() {
        Sealed sealed = cipher.seal(TOKEN, access);
        TokenCipher other = TokenCipher.forKeyring(Keyring.parse("1:" + base64(key2), null));
        assertThrows(DecryptionFailedException.class, () -> other.open(sealed, access));
    }

    @Test
    void to_strings_print_no_secrets() {
        Sealed sealed = cipher.seal(TOKEN, access);
        assertEquals("Sealed[keyId=1, length=" + sealed.ciphertext().length + "]", sealed.toString());
        assertEquals("partner_grant.access_token[" + grant + "]", access.toString());
        String all = sealed + " " + access + " " + cipher.keyring() + " " + cipher;
        assertFalse(all.contains(base64(key1)));
        assertFalse(all.contains("secret-access-token"));
        assertFalse(all.contains(base64(sealed.ciphertext()).substring(0, 16)));
    }

    @Test
    void sealed_copies_its_bytes() {
        byte[] ct = cipher.seal(TOKEN, access).ciphertext();
        Sealed sealed = new Sealed(ct, 1);
        ct[10] ^= 1;
        sealed.ciphertext()[11] ^= 1;
        assertEquals(TOKEN, cipher.open(sealed, access));
        assertThrows(IllegalArgumentException.class, () -> new Sealed(ct, 0));
    }

    @Test
    void associated_data_is_table_row_column() {
        assertArrayEquals("partner_grant|abc|refresh_token".getBytes(StandardCharsets.UTF_8),
                AssociatedData.of("partner_grant", "abc", "refresh_token").bytes());
        assertArrayEquals(("pending_authorization|" + grant + "|code_verifier").getBytes(StandardCharsets.UTF_8),
                EncryptedColumn.PENDING_CODE_VERIFIER.associatedData(grant).bytes());
        assertThrows(IllegalArgumentException.class, () -> AssociatedData.of("a|b", "r", "c"));
        assertThrows(IllegalArgumentException.class, () -> AssociatedData.of("t", "", "c"));
    }
}
