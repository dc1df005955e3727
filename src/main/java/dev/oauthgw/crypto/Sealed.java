package dev.oauthgw.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * A sealed value as stored: the Tink ciphertext ({@code 0x01 | key id (4 bytes) | nonce (12) |
 * ciphertext | tag (16)}) and the id of the key that sealed it, which goes into the
 * {@code ..._key_id} column next to the bytea. {@link #toString()} prints only the key id and length.
 */
public record Sealed(byte[] ciphertext, int keyId) {

    public Sealed {
        Objects.requireNonNull(ciphertext, "ciphertext");
        if (keyId <= 0) {
            throw new IllegalArgumentException("key id must be positive");
        }
        ciphertext = ciphertext.clone();
    }

    /** A copy of the ciphertext bytes, for the bytea column. */
    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sealed other && keyId == other.keyId && Arrays.equals(ciphertext, other.ciphertext);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ciphertext) + keyId;
    }

    @Override
    public String toString() {
        return "Sealed[keyId=" + keyId + ", length=" + ciphertext.length + "]";
    }
}
