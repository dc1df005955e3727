package dev.oauthgw.crypto;

import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How many encrypted values each key id seals, over every encrypted column (a grant row with both
 * tokens counts twice). A key other than the primary can be removed from the ring once it seals
 * nothing: {@link #canRetire(int)}.
 *
 * @param primaryKeyId the primary key id of this replica
 * @param keyringIds the key ids in this replica's ring
 * @param valuesByKeyId number of encrypted values per key id found in the database
 */
@com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
public record KeyUsage(int primaryKeyId, SortedSet<Integer> keyringIds, SortedMap<Integer, Long> valuesByKeyId) {

    public KeyUsage {
        keyringIds = Collections.unmodifiableSortedSet(new TreeSet<>(keyringIds));
        valuesByKeyId = Collections.unmodifiableSortedMap(new TreeMap<>(valuesByKeyId));
    }

    /** Encrypted values under this key id (0 when none). */
    public long count(int keyId) {
        return valuesByKeyId.getOrDefault(keyId, 0L);
    }

    /** True when the key is not the primary and no stored value needs it any more. */
    public boolean canRetire(int keyId) {
        return keyId != primaryKeyId && count(keyId) == 0;
    }

    /** Key ids that seal stored values but are not in the ring: those values cannot be decrypted. */
    public SortedSet<Integer> missingKeyIds() {
        TreeSet<Integer> missing = new TreeSet<>(valuesByKeyId.keySet());
        missing.removeAll(keyringIds);
        return Collections.unmodifiableSortedSet(missing);
    }
}
