package dev.oauthgw.crypto;

import java.util.Objects;
import java.util.UUID;

/**
 * Every encrypted column of the schema, with its key id column, the column that identifies the row in
 * the associated data, and whether the table carries an optimistic {@code version}.
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
    VENDOR_ACCESS_TOKEN("vendor_token", "name", "access_token", "access_token_key_id", true);

    private final String table;
    private final String idColumn;
    private final String column;
    private final String keyIdColumn;
    private final boolean versioned;

    EncryptedColumn(String table, String idColumn, String column, String keyIdColumn, boolean versioned) {
        this.table = table;
        this.idColumn = idColumn;
        this.column = column;
        this.keyIdColumn = keyIdColumn;
        this.versioned = versioned;
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

    public AssociatedData associatedData(String rowId) {
        return AssociatedData.of(table, rowId, column);
    }

    public AssociatedData associatedData(UUID rowId) {
        return associatedData(Objects.requireNonNull(rowId, "rowId").toString());
    }
}
