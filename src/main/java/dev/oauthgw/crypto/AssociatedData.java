package dev.oauthgw.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The associated data that binds a ciphertext to its place: {@code table|row|column} in UTF-8, for
 * example {@code partner_grant|4f1c...|access_token}. A ciphertext copied to another row or column
 * does not decrypt, because the associated data given to {@link TokenCipher#open} differs.
 * <p>
 * Table and column are SQL identifiers (no {@code |}), so the encoding is unambiguous even when a row
 * id contains {@code |}. None of the parts is secret, so {@link #toString()} prints them.
 *
 * @see EncryptedColumn for the associated data of each encrypted column of the schema
 */
public record AssociatedData(String table, String rowId, String column) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    public AssociatedData {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(rowId, "rowId");
        Objects.requireNonNull(column, "column");
        if (!IDENTIFIER.matcher(table).matches() || !IDENTIFIER.matcher(column).matches()) {
            throw new IllegalArgumentException("table and column must be lower-case SQL identifiers");
        }
        if (rowId.isEmpty()) {
            throw new IllegalArgumentException("rowId must not be empty");
        }
    }

    /** {@code AssociatedData.of("partner_grant", grantId.toString(), "access_token")}. */
    public static AssociatedData of(String table, String rowId, String column) {
        return new AssociatedData(table, rowId, column);
    }

    /** The bytes given to the AEAD: {@code table|row|column} in UTF-8. */
    public byte[] bytes() {
        return (table + "|" + rowId + "|" + column).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return table + "." + column + "[" + rowId + "]";
    }
}
