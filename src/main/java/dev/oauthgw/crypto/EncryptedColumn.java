package dev.oauthgw.crypto;

import java.util.Objects;
import java.util.UUID;

/**
 * Every encrypted column of the schema, with its key id column, the column that identifies the row in
 * the associated data, and whether the table carries an optimistic {@code version}. Key rotation
 * re-encrypts and the key-usage report counts exactly these ({@link KeyRotationService}).
 * <p>
 * Use these to build the associated data, so that sealing and opening always agree, e.g.
 * {@code cipher.seal(token, EncryptedColumn.GRANT_ACCESS_TOKEN.associatedData(grant.id))}.
 */
public enum EncryptedColumn {

    /** partner_grant.access_token, row = the grant id. */
    GRANT_ACCESS_TOKEN("partner_grant", "id", "access_token", "access_token_key_id", true),
    /** partner_grant.refresh_token, row = the grant id. */
    GRANT_REFRESH_TOKEN("partner_grant", "id", "refresh_token", "refresh_token_key_id", true),
    /** pending_authorization.code_verifier (PKCE), row = the pending authorization id. */
    PENDING_CODE_VERIFIER("pending_authorization", "id", "code_verifier", "code_verifier_key_id", false),
    /** vendor_token.access_token, row = the vendor token name. */
    VENDOR_ACCESS_TOKEN("vendor_token", "name", "access_token", "access_token_key_id", true),
    /**
     * refresh_attempt.refresh_token (V7): the provider's new refresh token, kept while its answer is stored; row =
     * the grant id. Sealed with the associated data of {@link #GRANT_REFRESH_TOKEN} of the same grant, not its own:
     * the ciphertext is the grant's next refresh token, and an abandoned attempt's kept token is adopted by the grant
     * as it is, by copying the bytes (GrantLifecycle.answerRecovered). Giving it associated data of its own would mean
     * opening and sealing it again on adoption, in the refresh flow, and two associated data for rows written by
     * replicas of either version during a rolling update; binding it to the grant's refresh-token place keeps it
     * bound to the grant (another grant's row does not open it) and only allows the one move the design makes.
     */
    ATTEMPT_REFRESH_TOKEN("refresh_attempt", "grant_id", "refresh_token", "refresh_token_key_id", false,
            "partner_grant", "refresh_token");

    private final String table;
    private final String idColumn;
    private final String column;
    private final String keyIdColumn;
    private final boolean versioned;
    /** The table and column named in the associated data (the column's own, but for one). */
    private final String sealedAsTable;
    private final String sealedAsColumn;

    EncryptedColumn(String table, String idColumn, String column, String keyIdColumn, boolean versioned) {
        this(table, idColumn, column, keyIdColumn, versioned, table, column);
    }

    EncryptedColumn(String table, String idColumn, String column, String keyIdColumn, boolean versioned,
            String sealedAsTable, String sealedAsColumn) {
        this.table = table;
        this.idColumn = idColumn;
        this.column = column;
        this.keyIdColumn = keyIdColumn;
        this.versioned = versioned;
        this.sealedAsTable = sealedAsTable;
        this.sealedAsColumn = sealedAsColumn;
    }

    public String table() {
        return table;
    }

    public String idColumn() {
        return idColumn;
    }

    public String column() {
        return column;
    }

    public String keyIdColumn() {
        return keyIdColumn;
    }

    /** True when the table has a {@code version} column that optimistic writers check. */
    public boolean versioned() {
        return versioned;
    }

    /** {@code table.column}, e.g. {@code partner_grant.access_token}. */
    public String qualifiedName() {
        return table + "." + column;
    }

    /** The associated data a value of this column of row {@code rowId} is sealed with. */
    public AssociatedData associatedData(String rowId) {
        return AssociatedData.of(sealedAsTable, rowId, sealedAsColumn);
    }

    public AssociatedData associatedData(UUID rowId) {
        return associatedData(Objects.requireNonNull(rowId, "rowId").toString());
    }
}
