package dev.oauthgw.crypto;

import static dev.oauthgw.crypto.CryptoTestKeys.base64;
import static dev.oauthgw.crypto.CryptoTestKeys.randomKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class KeyringTest {

    private final String k1 = base64(randomKey());
    private final String k2 = base64(randomKey());
    private final String k3 = base64(randomKey());

    /** The message names the problem and must never contain any key text of the spec. */
    private KeyringException parseFails(String spec, Integer primary, String expected) {
        KeyringException e = assertThrows(KeyringException.class, () -> Keyring.parse(spec, primary));
        assertTrue(e.getMessage().contains(expected), () -> "message: " + e.getMessage());
        for (String key : new String[] {k1, k2, k3}) {
            assertFalse(e.getMessage().contains(key), "message leaks a key");
            assertFalse(e.getMessage().contains(key.substring(0, 12)), "message leaks part of a key");
        }
        return e;
    }

    @Test
    void parses_ids_and_defaults_the_primary_to_the_highest_id() {
        Keyring ring = Keyring.parse("2:" + k2 + ", 10:" + k3 + " ,1:" + k1, null);
        assertEquals(Set.of(1, 2, 10), ring.keyIds());
        assertEquals(10, ring.primaryKeyId());
        assertTrue(ring.contains(2));
        assertFalse(ring.contains(3));
    }

    @Test
    void an_explicit_primary_wins() {
        assertEquals(1, Keyring.parse("1:" + k1 + ",2:" + k2, 1).primaryKeyId());
    }

    @Test
    void a_primary_id_outside_the_ring_is_refused() {
        parseFails("1:" + k1 + ",2:" + k2, 3, "primary key id 3");
        parseFails("1:" + k1 + ",2:" + k2, 3, "GATEWAY_CRYPTO_PRIMARY_KEY_ID");
    }

    @Test
    void an_empty_spec_is_refused() {
        parseFails("", null, "GATEWAY_CRYPTO_KEYRING");
        parseFails("   ", null, "is empty");
    }

    @Test
    void an_empty_entry_is_refused() {
        parseFails("1:" + k1 + ",", null, "entry #2 is empty");
    }

    @Test
    void an_entry_without_an_id_is_refused_without_echoing_it() {
        parseFails(k1, null, "entry #1 is not of the form <id>:<base64");
    }

    @Test
    void a_non_numeric_id_is_refused_without_echoing_it() {
        // key and id swapped: the "id" is key material, so it must not appear in the message
        parseFails(k1 + ":1", null, "entry #1: the key id is not an integer");
        parseFails("abc:" + k1, null, "the key id is not an integer");
        parseFails("99999999999:" + k1, null, "the key id is not an integer");
    }

    @Test
    void non_positive_ids_are_refused() {
        parseFails("0:" + k1, null, "must be a positive integer, was 0");
        parseFails("1:" + k1 + ",-2:" + k2, null, "entry #2: the key id must be a positive integer, was -2");
    }

    @Test
    void duplicate_ids_are_refused() {
        parseFails("1:" + k1 + ",2:" + k2 + ",1:" + k3, null, "entry #3: key id 1 appears more than once");
    }

    @Test
    void bad_base64_is_refused() {
        parseFails("1:" + k1.substring(0, 20) + "!!" + k1.substring(22), null, "(key id 1): the key is not valid base64");
    }

    @Test
    void keys_that_are_not_256_bits_are_refused() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        parseFails("1:" + k1 + ",2:" + shortKey, null, "entry #2 (key id 2): the key is 16 bytes; AES-256 needs 32");
        parseFails("1:" + Base64.getEncoder().encodeToString(new byte[33]), null, "33 bytes");
    }

    @Test
    void to_string_prints_ids_only() {
        Keyring ring = Keyring.parse("1:" + k1 + ",2:" + k2, null);
        assertEquals("Keyring[ids=[1, 2], primary=2]", ring.toString());
    }

    @Test
    void the_throwaway_ring_has_one_random_key_with_id_1() {
        Keyring a = Keyring.generateThrowaway();
        assertEquals(Set.of(1), a.keyIds());
        assertEquals(1, a.primaryKeyId());
        // two throwaway rings do not share the key
        Sealed sealed = TokenCipher.forKeyring(a).seal("x", AssociatedData.of("t", "r", "c"));
        assertThrows(DecryptionFailedException.class,
                () -> TokenCipher.forKeyring(Keyring.generateThrowaway()).open(sealed, AssociatedData.of("t", "r", "c")));
    }

    @Test
    void loader_fails_closed_without_a_keyring() {
        CryptoConfig none = new Config(Optional.empty(), Optional.empty(), false);
        KeyringException e = assertThrows(KeyringException.class, () -> KeyringLoader.load(none, false));
        assertTrue(e.getMessage().contains("GATEWAY_CRYPTO_KEYRING"), e.getMessage());
        assertTrue(e.getMessage().contains("does not start"), e.getMessage());
        // a blank value counts as missing
        CryptoConfig blank = new Config(Optional.of("  "), Optional.empty(), false);
        assertThrows(KeyringException.class, () -> KeyringLoader.load(blank, true));
    }

    @Test
    void loader_refuses_a_throwaway_key_in_prod() {
        CryptoConfig throwaway = new Config(Optional.empty(), Optional.empty(), true);
        KeyringException e = assertThrows(KeyringException.class, () -> KeyringLoader.load(throwaway, true));
        assertTrue(e.getMessage().contains("refused in the prod profile"), e.getMessage());
        assertTrue(e.getMessage().contains("GATEWAY_CRYPTO_KEYRING"), e.getMessage());
    }

    @Test
    void loader_generates_a_throwaway_key_outside_prod() {
        Keyring ring = KeyringLoader.load(new Config(Optional.empty(), Optional.empty(), true), false);
        assertEquals(Set.of(1), ring.keyIds());
        assertThrows(KeyringException.class,
                () -> KeyringLoader.load(new Config(Optional.empty(), Optional.of(2), true), false));
    }

    @Test
    void loader_prefers_the_configured_keyring_even_when_throwaway_is_allowed() {
        Keyring ring = KeyringLoader.load(new Config(Optional.of("3:" + k1 + ",4:" + k2), Optional.of(3), true), true);
        assertEquals(Set.of(3, 4), ring.keyIds());
        assertEquals(3, ring.primaryKeyId());
    }

    @Test
    void the_config_mapping_declares_no_to_string_so_smallrye_generates_none_that_prints_the_keyring() {
        assertThrows(NoSuchMethodException.class, () -> CryptoConfig.class.getDeclaredMethod("toString"));
    }

    private record Config(Optional<String> keyring, Optional<Integer> primaryKeyId, boolean generateThrowawayKey)
            implements CryptoConfig {
    }
}
