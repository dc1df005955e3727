package dev.oauthgw.crypto;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

/**
 * Key rotation: re-encrypts every stored value that is not under the primary key, online, and reports
 * which keys are still in use.
 * <p>
 * Procedure (docs/operations/key-rotation.md): add the new key to {@code GATEWAY_CRYPTO_KEYRING} with a
 * higher id and make it primary; roll every replica; call {@link #reencryptAll()} (exposed to operators
 * as {@code POST /admin/crypto/reencrypt}); repeat until {@link ReencryptionReport#remaining()} is 0 and
 * {@link #keyUsage()} shows no value under the old id; remove the old key and roll the replicas again.
 * <p>
 * How it stays online: each column is walked in primary-key order in batches of {@value #DEFAULT_BATCH_SIZE}
 * rows, each batch in its own short transaction. Rows are taken with
 * {@code SELECT ... FOR UPDATE SKIP LOCKED}, so a grant locked by a token refresh (held across the call
 * to the provider) is skipped without waiting and retried in a later pass; the gateway's own writers
 * never wait on this job for longer than one batch. Each value is opened with its old key, sealed under
 * the primary and written back with its key id; on {@code partner_grant} and {@code vendor_token} the
 * {@code version} is bumped, so an optimistic writer holding the old ciphertext fails its version check
 * instead of writing the old ciphertext back. Values that cannot be opened (key not in the ring, tampered)
 * are logged with table, column and row id, counted in {@link ReencryptionReport#failed()} and left as
 * they are. Passes repeat (with a short pause) until nothing is left, only such failures are left, or the
 * pass limit is reached.
 * <p>
 * Safe to run on several replicas at once (SKIP LOCKED) and to run again; it must not be called inside a
 * transaction that is expected to cover it (it suspends the caller's).
 */
@ApplicationScoped
public class KeyRotationService {

    private static final Logger LOG = Logger.getLogger(KeyRotationService.class);

    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final int DEFAULT_MAX_PASSES = 5;
    /** Pause before pass n+1: n times this, so locked rows get time to be released. */
    static final long PAUSE_BETWEEN_PASSES_MS = 1_000;

    @Inject
    TokenCipher cipher;

    @Inject
    EntityManager em;

    /** Re-encrypts with {@value #DEFAULT_BATCH_SIZE} rows per transaction and up to {@value #DEFAULT_MAX_PASSES} passes. */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public ReencryptionReport reencryptAll() {
        return reencryptAll(DEFAULT_BATCH_SIZE, DEFAULT_MAX_PASSES);
    }

    /**
     * Re-encrypts every value not under the primary key.
     *
     * @param batchSize rows per transaction (1 to 10,000)
     * @param maxPasses passes over all columns at most (at least 1)
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public ReencryptionReport reencryptAll(int batchSize, int maxPasses) {
        if (batchSize < 1 || batchSize > 10_000 || maxPasses < 1) {
            throw new IllegalArgumentException("batchSize must be 1..10000 and maxPasses at least 1");
        }
        int primary = cipher.primaryKeyId();
        Map<EncryptedColumn, Long> done = new EnumMap<>(EncryptedColumn.class);
        for (EncryptedColumn column : EncryptedColumn.values()) {
            done.put(column, 0L);
        }
        long failed = 0;
        long remaining = 0;
        int pass = 0;
        while (pass < maxPasses) {
            pass++;
            failed = 0;
            for (EncryptedColumn column : EncryptedColumn.values()) {
                Object after = null;
                while (true) {
                    Object cursor = after;
                    Batch batch = QuarkusTransaction.requiringNew()
                            .call(() -> reencryptBatch(column, primary, cursor, batchSize));
                    done.merge(column, (long) batch.reencrypted(), Long::sum);
                    failed += batch.failed();
                    if (batch.scanned() < batchSize) {
                        break; // no unlocked row left after the cursor
                    }
                    after = batch.lastId();
                }
            }
            remaining = QuarkusTransaction.requiringNew().call(() -> countNotUnder(primary));
            LOG.infof("Key rotation pass %d to key id %d: %d re-encrypted so far, %d failed, %d remaining", pass,
                    primary, done.values().stream().mapToLong(Long::longValue).sum(), failed, remaining);
            if (remaining <= failed || pass == maxPasses) {
                break; // done, or only values that cannot be opened are left
            }
            try {
                Thread.sleep(PAUSE_BETWEEN_PASSES_MS * pass);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Map<String, Long> byColumn = new LinkedHashMap<>();
        done.forEach((column, n) -> byColumn.put(column.qualifiedName(), n));
        return new ReencryptionReport(primary, byColumn, failed, remaining, pass);
    }

    /** Encrypted values per key id over every encrypted column, and this replica's ring. */
    @Transactional
    public KeyUsage keyUsage() {
        String union = List.of(EncryptedColumn.values()).stream()
                .map(c -> "select " + c.keyIdColumn() + " as key_id from " + c.table() + " where " + c.keyIdColumn()
                        + " is not null")
                .collect(Collectors.joining(" union all "));
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "select key_id, count(*) from (" + union + ") k group by key_id order by key_id").getResultList();
        TreeMap<Integer, Long> counts = new TreeMap<>();
        for (Object[] row : rows) {
            counts.put(((Number) row[0]).intValue(), ((Number) row[1]).longValue());
        }
        return new KeyUsage(cipher.primaryKeyId(), cipher.keyIds(), counts);
    }

    private record Batch(int scanned, int reencrypted, int failed, Object lastId) {
    }

    /** One batch of one column, inside its own transaction. */
    private Batch reencryptBatch(EncryptedColumn column, int primary, Object after, int batchSize) {
        String sql = "select " + column.idColumn() + ", " + column.column() + ", " + column.keyIdColumn()
                + " from " + column.table()
                + " where " + column.keyIdColumn() + " <> ?1"
                + (after == null ? "" : " and " + column.idColumn() + " > ?2")
                + " order by " + column.idColumn() + " limit " + batchSize + " for update skip locked";
        Query select = em.createNativeQuery(sql).setParameter(1, primary);
        if (after != null) {
            select.setParameter(2, after);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = select.getResultList();
        String update = "update " + column.table() + " set " + column.column() + " = ?1, " + column.keyIdColumn()
                + " = ?2" + (column.versioned() ? ", version = version + 1" : "")
                + " where " + column.idColumn() + " = ?3";
        int reencrypted = 0;
        int failed = 0;
        Object lastId = null;
        List<String> failures = new ArrayList<>();
        for (Object[] row : rows) {
            Object id = row[0];
            lastId = id;
            AssociatedData ad = column.associatedData(id.toString());
            Sealed fresh;
            try {
                String plaintext = cipher.open(new Sealed((byte[]) row[1], ((Number) row[2]).intValue()), ad);
                fresh = cipher.seal(plaintext, ad);
            } catch (DecryptionFailedException e) {
                failed++;
                failures.add(e.getMessage());
                continue;
            }
            em.createNativeQuery(update)
                    .setParameter(1, fresh.ciphertext())
                    .setParameter(2, fresh.keyId())
                    .setParameter(3, id)
                    .executeUpdate();
            reencrypted++;
        }
        failures.forEach(message -> LOG.warnf("Key rotation skipped a value: %s", message));
        return new Batch(rows.size(), reencrypted, failed, lastId);
    }

    private long countNotUnder(int primary) {
        long total = 0;
        for (EncryptedColumn column : EncryptedColumn.values()) {
            Number n = (Number) em.createNativeQuery("select count(*) from " + column.table() + " where "
                    + column.keyIdColumn() + " <> ?1").setParameter(1, primary).getSingleResult();
            total += n.longValue();
        }
        return total;
    }
}
