package dev.oauthgw.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.util.SecretBytes;

/**
 * An immutable keyring: key id to 256-bit AES key, and the id of the primary key (the one that seals).
 * <p>
 * Parsed from {@code <id>:<base64 of 32 bytes>[,<id>:<base64>...]} (standard base64, as printed by
 * {@code openssl rand -base64 32}). Every error names the position of the faulty entry and, where it
 * parsed, its id; never the key text. Keys are held as Tink {@link SecretBytes}, and
 * {@link #toString()} prints only the ids.
 */
public final class Keyring {

    /** AES-256. */
    static final int KEY_BYTES = 32;
    static final int IV_BYTES = 12;
    static final int TAG_BYTES = 16;
    /** Tink's output prefix: one version byte 0x01, then the key id as 4 bytes, big-endian. */
    static final int PREFIX_BYTES = 5;
    static final byte TINK_PREFIX_VERSION = 0x01;

    private final TreeMap<Integer, SecretBytes> keys;
    private final int primaryKeyId;

    private Keyring(TreeMap<Integer, SecretBytes> keys, int primaryKeyId) {
        if (keys.isEmpty()) {
            throw new KeyringException("The keyring has no key");
        }
        if (!keys.containsKey(primaryKeyId)) {
            throw new KeyringException("The primary key id " + primaryKeyId + " (" + CryptoConfig.PRIMARY_KEY_ID_ENV
                    + ") is not in the keyring; the ring has ids " + keys.keySet());
        }
        this.keys = keys;
        this.primaryKeyId = primaryKeyId;
    }

    /**
     * Parses a keyring specification.
     *
     * @param spec {@code <id>:<base64 of 32 bytes>[,<id>:<base64>...]}
     * @param primaryKeyId the primary key id, or {@code null} for the highest id in the ring
     * @throws KeyringException when the specification is invalid; the message holds no key material
     */
    public static Keyring parse(String spec, Integer primaryKeyId) {
        if (spec == null || spec.isBlank()) {
            throw new KeyringException("The keyring (" + CryptoConfig.KEYRING_ENV + ") is empty");
        }
        String[] entries = spec.split(",", -1);
        TreeMap<Integer, SecretBytes> keys = new TreeMap<>();
        for (int i = 0; i < entries.length; i++) {
            String where = "Keyring (" + CryptoConfig.KEYRING_ENV + ") entry #" + (i + 1);
            String entry = entries[i].strip();
            if (entry.isEmpty()) {
                throw new KeyringException(where + " is empty; expected <id>:<base64 of 32 bytes>");
            }
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new KeyringException(where + " is not of the form <id>:<base64 of 32 bytes>");
            }
            int id;
            try {
                // never echo the text: a mistyped entry may have the key where the id should be
                id = Integer.parseInt(entry.substring(0, colon).strip());
            } catch (NumberFormatException e) {
                throw new KeyringException(where + ": the key id is not an integer");
            }
            if (id <= 0) {
                throw new KeyringException(where + ": the key id must be a positive integer, was " + id);
            }
            if (keys.containsKey(id)) {
                throw new KeyringException(where + ": key id " + id + " appears more than once");
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(entry.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new KeyringException(where + " (key id " + id + "): the key is not valid base64");
            }
            try {
                if (raw.length != KEY_BYTES) {
                    throw new KeyringException(where + " (key id " + id + "): the key is " + raw.length
                            + " bytes; AES-256 needs " + KEY_BYTES + " (openssl rand -base64 32)");
                }
                keys.put(id, SecretBytes.copyFrom(raw, InsecureSecretKeyAccess.get()));
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
        }
        return new Keyring(keys, primaryKeyId != null ? primaryKeyId : keys.lastKey());
    }

    /** One fresh random key with id 1, primary: the dev/test throwaway keyring. */
    public static Keyring generateThrowaway() {
        TreeMap<Integer, SecretBytes> keys = new TreeMap<>();
        keys.put(1, SecretBytes.randomBytes(KEY_BYTES));
        return new Keyring(keys, 1);
    }

    /** A copy of this ring with another key added (rotation in tests and tools); the primary is unchanged. */
    Keyring withKey(int id, byte[] key) {
        Objects.requireNonNull(key, "key");
        if (id <= 0 || keys.containsKey(id) || key.length != KEY_BYTES) {
            throw new KeyringException("Cannot add key id " + id + ": the id must be new and positive and the key "
                    + KEY_BYTES + " bytes");
        }
        TreeMap<Integer, SecretBytes> copy = new TreeMap<>(keys);
        copy.put(id, SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()));
        return new Keyring(copy, primaryKeyId);
    }

    /** A copy of this ring with another primary key. */
    Keyring withPrimary(int id) {
        return new Keyring(new TreeMap<>(keys), id);
    }

    /** A copy of this ring without a key (retirement); the primary cannot be removed. */
    Keyring without(int id) {
        if (id == primaryKeyId) {
            throw new KeyringException("Cannot remove the primary key id " + id);
        }
        TreeMap<Integer, SecretBytes> copy = new TreeMap<>(keys);
        copy.remove(id);
        return new Keyring(copy, primaryKeyId);
    }

    public int primaryKeyId() {
        return primaryKeyId;
    }

    public SortedSet<Integer> keyIds() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(keys.keySet()));
    }

    public boolean contains(int keyId) {
        return keys.containsKey(keyId);
    }

    /**
     * The Tink keyset: one AES-256-GCM key per entry (12-byte IV, 16-byte tag, variant TINK so that
     * each ciphertext starts with its key id), with the keyring id as the Tink key id.
     */
    KeysetHandle toKeysetHandle() {
        try {
            AesGcmParameters parameters = AesGcmParameters.builder()
                    .setKeySizeBytes(KEY_BYTES)
                    .setIvSizeBytes(IV_BYTES)
                    .setTagSizeBytes(TAG_BYTES)
                    .setVariant(AesGcmParameters.Variant.TINK)
                    .build();
            KeysetHandle.Builder builder = KeysetHandle.newBuilder();
            for (Map.Entry<Integer, SecretBytes> e : keys.entrySet()) {
                AesGcmKey key = AesGcmKey.builder()
                        .setParameters(parameters)
                        .setKeyBytes(e.getValue())
                        .setIdRequirement(e.getKey())
                        .build();
                KeysetHandle.Builder.Entry entry = KeysetHandle.importKey(key).withFixedId(e.getKey());
                if (e.getKey() == primaryKeyId) {
                    entry.makePrimary();
                }
                builder.addEntry(entry);
            }
            return builder.build();
        } catch (GeneralSecurityException e) {
            // Tink's messages carry no key material, but keep ours free of any doubt
            throw new KeyringException("Could not build the Tink keyset from key ids " + keys.keySet() + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public String toString() {
        return "Keyring[ids=" + keys.keySet() + ", primary=" + primaryKeyId + "]";
    }
}
