package dev.oauthgw.crypto;

/**
 * A stored ciphertext could not be opened: it was altered, copied from another row or column, sealed
 * under a key that is no longer in the keyring, or its key id column does not match it. The message
 * names the table, column, row and key id; it never contains ciphertext, plaintext or key material.
 */
public class DecryptionFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String table;
    private final String column;
    private final String rowId;
    private final int keyId;

    DecryptionFailedException(AssociatedData ad, int keyId, String reason) {
        super("Cannot decrypt " + ad.table() + "." + ad.column() + " of row " + ad.rowId() + " (key id " + keyId
                + "): " + reason);
        this.table = ad.table();
        this.column = ad.column();
        this.rowId = ad.rowId();
        this.keyId = keyId;
    }

    public String table() {
        return table;
    }

    public String column() {
        return column;
    }

    public String rowId() {
        return rowId;
    }

    /** The key id stored with the ciphertext. */
    public int keyId() {
        return keyId;
    }
}
