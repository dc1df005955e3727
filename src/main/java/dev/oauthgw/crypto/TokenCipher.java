package dev.oauthgw.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.SortedSet;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Seals and opens tokens (access and refresh tokens, PKCE verifiers) with AES-256-GCM through a Tink
 * AEAD keyset built from the {@link Keyring}.
 * <p>
 * {@link #seal} uses the primary key and a random 96-bit nonce; the result carries the key id both in
 * its Tink prefix and in {@link Sealed#keyId()}, which callers store in the {@code ..._key_id} column.
 * {@link #open} accepts a ciphertext under any key still in the ring (Tink routes by the prefix) and
 * checks that the stored key id matches the prefix. The {@link AssociatedData} binds each ciphertext
 * to its table, row and column (see {@link EncryptedColumn}).
 * <p>
 * Created at startup ({@link Startup}), so a missing or invalid keyring stops the application before
 * it serves anything. Never logs plaintext, ciphertext or keys.
 */
@Startup
@ApplicationScoped
public class TokenCipher {

    private record Engine(Keyring keyring, Aead aead) {
    }

    @Inject
    CryptoConfig config;

    private volatile Engine engine;

    /** For CDI; outside CDI use {@link #forKeyring(Keyring)}. */
    TokenCipher() {
    }

    /** A cipher over the given keyring, for unit tests and tools that run without CDI. */
    static TokenCipher forKeyring(Keyring keyring) {
        TokenCipher cipher = new TokenCipher();
        cipher.reload(keyring);
        return cipher;
    }

    @PostConstruct
    void init() {
        reload(KeyringLoader.load(config, ConfigUtils.isProfileActive("prod")));
    }

    /**
     * Replaces the keyring. Values in flight keep working: each call takes one consistent snapshot.
     * Package-private: production code loads the ring once at startup (rotation = restart with a new
     * ring); tests use this to rotate within one running application.
     */
    void reload(Keyring keyring) {
        Objects.requireNonNull(keyring, "keyring");
        try {
            AeadConfig.register();
            Aead aead = keyring.toKeysetHandle().getPrimitive(RegistryConfiguration.get(), Aead.class);
            engine = new Engine(keyring, aead);
        } catch (GeneralSecurityException e) {
            throw new KeyringException("Could not create the AES-GCM primitive for key ids " + keyring.keyIds() + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** The keyring in use (ids only are printable). */
    Keyring keyring() {
        return engine.keyring();
    }

    /** The id of the key that {@link #seal} uses. */
    public int primaryKeyId() {
        return engine.keyring().primaryKeyId();
    }

    /** The ids of every key in the ring (the primary and those that only open). */
    public SortedSet<Integer> keyIds() {
        return engine.keyring().keyIds();
    }

    /**
     * Encrypts under the primary key.
     *
     * @param plaintext the token or verifier
     * @param ad where the value is stored, e.g. {@code EncryptedColumn.GRANT_ACCESS_TOKEN.associatedData(grantId)}
     * @return the ciphertext and the key id to store next to it
     */
    public Sealed seal(String plaintext, AssociatedData ad) {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(ad, "associated data");
        Engine e = engine;
        try {
            byte[] ciphertext = e.aead().encrypt(plaintext.getBytes(StandardCharsets.UTF_8), ad.bytes());
            return new Sealed(ciphertext, e.keyring().primaryKeyId());
        } catch (GeneralSecurityException x) {
            throw new IllegalStateException("Encryption of " + ad + " failed (" + x.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Decrypts a stored value.
     *
     * @param sealed the stored ciphertext and key id
     * @param ad the associated data of the place it was read from (same as when sealed)
     * @return the plaintext
     * @throws DecryptionFailedException when the ciphertext was altered, belongs to another row or
     *         column, is under a key no longer in the ring, or does not match its key id column
     */
    public String open(Sealed sealed, AssociatedData ad) {
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(ad, "associated data");
        Engine e = engine;
        byte[] ciphertext = sealed.ciphertext();
        if (ciphertext.length < Keyring.PREFIX_BYTES + Keyring.IV_BYTES + Keyring.TAG_BYTES
                || ciphertext[0] != Keyring.TINK_PREFIX_VERSION) {
            throw new DecryptionFailedException(ad, sealed.keyId(),
                    "the value is not a Tink AES-GCM ciphertext (too short or without a key id prefix)");
        }
        int prefixKeyId = ((ciphertext[1] & 0xff) << 24) | ((ciphertext[2] & 0xff) << 16)
                | ((ciphertext[3] & 0xff) << 8) | (ciphertext[4] & 0xff);
        if (prefixKeyId != sealed.keyId()) {
            throw new DecryptionFailedException(ad, sealed.keyId(),
                    "the key id column does not match the ciphertext, which names key id " + prefixKeyId);
        }
        if (!e.keyring().contains(prefixKeyId)) {
            throw new DecryptionFailedException(ad, sealed.keyId(), "key id " + prefixKeyId
                    + " is not in the keyring " + e.keyring().keyIds()
                    + " (retired before its rows were re-encrypted?)");
        }
        try {
            return new String(e.aead().decrypt(ciphertext, ad.bytes()), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException x) {
            throw new DecryptionFailedException(ad, sealed.keyId(), "authentication failed: the ciphertext was"
                    + " altered, was copied from another row or column, or the key under this id changed");
        }
    }
}
