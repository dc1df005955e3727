package dev.oauthgw.crypto;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of {@link KeyRotationService#reencryptAll()}.
 *
 * @param primaryKeyId the key every value was re-encrypted under
 * @param reencrypted values re-encrypted per column, keyed {@code table.column}
 *        (e.g. {@code partner_grant.access_token})
 * @param failed values that could not be opened in the last pass (key not in the ring, tampered);
 *        each was logged with its table, column and row
 * @param remaining values still under another key than the primary when the run ended: the failed
 *        ones, rows that stayed locked by token refreshes, rows written meanwhile by a replica that
 *        still had the old primary. Run again until it is 0.
 * @param passes passes over the tables
 */
@com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ReencryptionReport(int primaryKeyId, Map<String, Long> reencrypted, long failed, long remaining,
        int passes) {

    public ReencryptionReport {
        reencrypted = Collections.unmodifiableMap(new LinkedHashMap<>(reencrypted));
    }

    /** Values re-encrypted per table (a grant row counts once per encrypted column). */
    public Map<String, Long> reencryptedByTable() {
        Map<String, Long> byTable = new TreeMap<>();
        reencrypted.forEach((column, n) -> byTable.merge(column.substring(0, column.indexOf('.')), n, Long::sum));
        return byTable;
    }

    public long total() {
        return reencrypted.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True when no value is left under another key than the primary. */
    public boolean complete() {
        return remaining == 0;
    }
}
