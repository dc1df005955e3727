package dev.oauthgw.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Records who was handed which token, one row per (caller, token) in {@code token_access} with the first and last
 * time it was served, how many times and the first request's id (ADR 0015). A token is named by its kind, its
 * subject (partner id or vendor token name) and its expiry: never the token, never a hash of it.
 * <p>
 * The request path only counts: {@link #record} finds the key's pending entry in a {@link ConcurrentHashMap} and
 * bumps its count with a compare-and-set (no lock, no I/O, no allocation once the key is pending). One writer
 * thread takes the pending entries every {@code flush-every} and upserts them in batches ({@code insert ... on
 * conflict do update}: counts add up, first and last widen), so replicas writing the same key add up too. Each
 * entry is taken by sealing its count first, so a serve is counted either in the row being written or in the next
 * one, never in both and never in none.
 * <p>
 * Bounded: at most {@code max-pending} keys are held (plus one per request racing for the last place). When full,
 * the writer is woken to write at once and a request bringing a new key writes its own row (back-pressure). While
 * the database is down the writer keeps the rows it took (at most {@code max-pending}) and retries them before it
 * takes more; requests then find the map full and fail with the database (503), nothing is dropped unsaid.
 * A row the database refuses for its data (SQL state class 22 or 23) is logged without secrets, counted in
 * {@link #dropped()} and left out; the rest of its batch is written. On a clean shutdown everything pending is
 * written before the database goes away; a record after that writes itself.
 */
@ApplicationScoped
public class TokenAccessRecorder {

    private static final Logger LOG = Logger.getLogger(TokenAccessRecorder.class);
    private static final String UPSERT = "insert into token_access as t (kind, subject, token_expires_at, caller, "
            + "grant_id, first_served_at, last_served_at, served_count, first_request_id) "
            + "values (?, ?, coalesce(cast(? as timestamptz), 'infinity'::timestamptz), ?, ?, ?, ?, ?, ?) "
            + "on conflict (kind, subject, token_expires_at, caller) do update set "
            + "first_request_id = case when excluded.first_served_at < t.first_served_at "
            + "then excluded.first_request_id else t.first_request_id end, "
            + "first_served_at = least(t.first_served_at, excluded.first_served_at), "
            + "last_served_at = greatest(t.last_served_at, excluded.last_served_at), "
            + "served_count = t.served_count + excluded.served_count, "
            + "grant_id = coalesce(t.grant_id, excluded.grant_id)";
    private static final String VENDOR_PREFIX = "vendor:";

    /**
     * One token handed out. {@code tokenExpiresAt} names the token (with the kind and the partner); {@code kind} is
     * {@code partner}, or {@code vendor:<name>} for the vendor's own tokens (then {@code partnerId} is null).
     */
    public record Access(Instant at, String caller, String partnerId, UUID grantId, String requestId,
            Instant tokenExpiresAt, String kind) {
    }

    /** What one pending entry counts: the access's own fields, as given (normalised when written). */
    private record Key(String kind, String partnerId, Instant tokenExpiresAt, String caller) {
    }

    private record First(Instant at, String requestId) {
    }

    /** A row to upsert, normalised to its columns. */
    private record Row(String kind, String subject, Instant tokenExpiresAt, String caller, UUID grantId,
            Instant firstAt, String firstRequestId, Instant lastAt, long count) {
    }

    private static final Comparator<Row> LOCK_ORDER = Comparator.comparing(Row::kind).thenComparing(Row::subject)
            .thenComparing(r -> r.tokenExpiresAt() == null ? Instant.MAX : r.tokenExpiresAt())
            .thenComparing(Row::caller);

    /** Serves of one key since it was last taken. Its count is sealed (negative) when the writer takes it. */
    private static final class Pending {
        private static final long SEALED = Long.MIN_VALUE;
        final Key key;
        final UUID grantId;
        final AtomicLong count = new AtomicLong();
        final AtomicReference<First> first;
        final AtomicReference<Instant> last;

        Pending(Key key, Access a) {
            this.key = key;
            this.grantId = a.grantId();
            this.first = new AtomicReference<>(new First(a.at(), a.requestId()));
            this.last = new AtomicReference<>(a.at());
        }

        /**
         * Counts a serve; false when the entry was sealed meanwhile (the caller counts it in a fresh entry). First and
         * last move before the count, so whoever seals the count sees the times of every serve it counted.
         */
        boolean add(Access a) {
            Instant at = a.at();
            Instant l;
            while ((l = last.get()).isBefore(at) && !last.compareAndSet(l, at)) {
                // another serve moved it: look again
            }
            First f;
            while ((f = first.get()).at().isAfter(at) && !first.compareAndSet(f, new First(at, a.requestId()))) {
                // rare: a serve that took its time before this entry's creator
            }
            long c;
            do {
                c = count.get();
                if (c < 0) {
                    return false;
                }
            } while (!count.compareAndSet(c, c + 1));
            return true;
        }

        /** Takes the count (0 or more), or -1 when another writer took it already. */
        long seal() {
            long c = count.getAndSet(SEALED);
            return c < 0 ? -1 : c;
        }

        Row row(long n) {
            First f = first.get();
            return TokenAccessRecorder.row(key, grantId, f.at(), f.requestId(), last.get(), n);
        }
    }

    private final DataSource dataSource;
    private final Duration flushEvery;
    private final int maxPending;
    private final int batchSize;
    private final ConcurrentHashMap<Key, Pending> pending = new ConcurrentHashMap<>();
    /** Rows taken from {@link #pending} and not written yet (the database was unavailable). Guarded by this. */
    private final List<Row> held = new ArrayList<>();
    private final Semaphore wake = new Semaphore(0);
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong flushedEarly = new AtomicLong();
    private volatile boolean running;
    private Thread writer;

    @Inject
    public TokenAccessRecorder(AgroalDataSource dataSource, AuditConfig config) {
        this(dataSource, config.tokenAccess().flushEvery(), config.tokenAccess().maxPending(),
                config.tokenAccess().batchSize());
        List<String> problems = AuditConfig.problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
    }

    /** A recorder of its own (tests: a second replica, a small bound). */
    public TokenAccessRecorder(DataSource dataSource, Duration flushEvery, int maxPending, int batchSize) {
        this.dataSource = dataSource;
        this.flushEvery = flushEvery;
        this.maxPending = maxPending;
        this.batchSize = batchSize;
    }

    void start(@Observes StartupEvent e) {
        running = true;
        writer = new Thread(this::loop, "token-access-recorder");
        writer.setDaemon(true);
        writer.start();
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        wake.release();
        if (writer != null) {
            try {
                writer.join(10_000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            flushAll(); // whatever the writer did not take
        } catch (RuntimeException ex) {
            LOG.errorf("Token access records not written at shutdown (%s): %d rows held, %d keys pending",
                    ex.getMessage(), heldRows(), pending.size());
        }
    }

    /** Counts one token handed out. Cheap: no I/O unless the pending keys are at their limit or the writer stopped. */
    public void record(Access a) {
        if (!running) {
            writeNow(a); // not started, or shutting down: write it ourselves
            return;
        }
        Key k = new Key(a.kind(), a.partnerId(), a.tokenExpiresAt(), a.caller());
        for (;;) {
            Pending p = pending.get(k);
            if (p == null) {
                if (pending.size() >= maxPending) {
                    flushedEarly.incrementAndGet();
                    wake.release(); // write what is pending now
                    writeNow(a); // and this one ourselves: memory stays bounded, nothing is dropped
                    return;
                }
                Pending fresh = new Pending(k, a);
                p = pending.putIfAbsent(k, fresh);
                if (p == null) {
                    p = fresh;
                }
            }
            if (p.add(a)) {
                break;
            }
            pending.remove(k, p); // taken by the writer a moment ago: count it in a fresh entry
        }
        if (!running) {
            flushAll(); // the shutdown's last flush may have run before this serve was counted
        }
    }

    /** Writes everything pending so far (tests and shutdown); throws when the database is unavailable. */
    public void flushAll() {
        flush();
    }

    /** Rows upserted (one row may count many serves). */
    public long written() {
        return written.get();
    }

    /** Rows the database refused for their data (each one logged); never counted as written. */
    public long dropped() {
        return dropped.get();
    }

    /** Distinct (caller, token) keys waiting to be written. */
    public int pending() {
        return pending.size();
    }

    /** Times a request found the pending keys at their limit (the writer woken early, the request wrote its own row). */
    public long flushedEarly() {
        return flushedEarly.get();
    }

    private synchronized int heldRows() {
        return held.size();
    }

    private void loop() {
        while (running) {
            try {
                wake.tryAcquire(flushEvery.toNanos(), TimeUnit.NANOSECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            }
            try {
                flush();
            } catch (RuntimeException e) {
                if (!running) {
                    break; // shutting down with the database gone: stop() tries once more
                }
                LOG.errorf("Could not write %d token access records (%s); retrying", heldRows(), e.getMessage());
                try {
                    wake.tryAcquire(500, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Writes the rows held from a failed attempt, then (only when those are out, so memory stays bounded) takes every
     * pending entry and writes it. One flush at a time; recorders never wait for it.
     */
    private synchronized void flush() {
        write(held);
        for (Pending p : pending.values()) {
            long n = p.seal();
            pending.remove(p.key, p);
            if (n > 0) {
                held.add(p.row(n));
            }
        }
        held.sort(LOCK_ORDER); // every replica locks keys in the same order: no deadlock between two upserts
        write(held);
    }

    /** The request path's own write (back-pressure, or no writer running): one row, one serve. */
    private void writeNow(Access a) {
        List<Row> one = new ArrayList<>(1);
        one.add(row(new Key(a.kind(), a.partnerId(), a.tokenExpiresAt(), a.caller()), a.grantId(), a.at(),
                a.requestId(), a.at(), 1));
        write(one);
    }

    /**
     * Writes the rows in batches and removes what it wrote or dropped. A batch the database refuses is written row
     * by row; a row refused for its data is dropped (logged, counted). Any other failure leaves the unwritten rows in
     * the list and throws. Each batch is its own transaction, so a row is never counted twice.
     */
    private void write(List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                while (!rows.isEmpty()) {
                    List<Row> batch = rows.subList(0, Math.min(batchSize, rows.size()));
                    try {
                        upsert(c, batch);
                        written.addAndGet(batch.size());
                        batch.clear();
                    } catch (SQLException e) {
                        rollbackQuietly(c);
                        if (!isBadData(e)) {
                            throw e;
                        }
                        writeOneByOne(c, batch);
                    }
                }
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("token access records not written: " + e.getMessage(), e);
        }
    }

    private void writeOneByOne(Connection c, List<Row> batch) throws SQLException {
        while (!batch.isEmpty()) {
            Row r = batch.get(0);
            try {
                upsert(c, List.of(r));
                written.incrementAndGet();
            } catch (SQLException e) {
                rollbackQuietly(c);
                if (!isBadData(e)) {
                    throw e;
                }
                dropped.incrementAndGet();
                LOG.errorf("Token access record dropped: the database refused it (%s, SQL state %s): caller %s, %s %s, "
                        + "token expiring %s, %d serves from %s to %s, first request %s", reason(e), e.getSQLState(),
                        r.caller(), r.kind(), r.subject(), r.tokenExpiresAt(), r.count(), r.firstAt(), r.lastAt(),
                        r.firstRequestId());
            }
            batch.remove(0);
        }
    }

    private static void upsert(Connection c, List<Row> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (Row r : rows) {
                ps.setString(1, r.kind());
                ps.setString(2, r.subject());
                if (r.tokenExpiresAt() == null) {
                    ps.setNull(3, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    ps.setTimestamp(3, Timestamp.from(r.tokenExpiresAt()));
                }
                ps.setString(4, r.caller());
                ps.setObject(5, r.grantId());
                ps.setTimestamp(6, Timestamp.from(r.firstAt()));
                ps.setTimestamp(7, Timestamp.from(r.lastAt()));
                ps.setLong(8, r.count());
                ps.setString(9, r.firstRequestId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        c.commit();
    }

    /** The row's columns: kind partner or vendor, the subject, text cleaned and cut to its column. */
    private static Row row(Key k, UUID grantId, Instant first, String firstRequestId, Instant last, long n) {
        boolean vendor = k.kind() != null && k.kind().startsWith(VENDOR_PREFIX);
        String subject = vendor ? k.kind().substring(VENDOR_PREFIX.length()) : k.partnerId();
        return new Row(vendor ? "vendor" : "partner", subject == null ? "" : clean(subject, 64), k.tokenExpiresAt(),
                k.caller() == null || k.caller().isBlank() ? "anonymous" : clean(k.caller(), 255), grantId, first,
                clean(firstRequestId, 64), last, n);
    }

    private static String clean(String s, int max) {
        return AuditText.bounded(s, max);
    }

    /** The database's own words (a batch's message repeats the whole statement with its values). */
    private static String reason(SQLException e) {
        SQLException next = e.getNextException();
        return next != null && next.getMessage() != null ? next.getMessage() : e.getMessage();
    }

    /** Data exception (22) or integrity constraint violation (23): retrying the same row cannot help. */
    private static boolean isBadData(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
            if (t instanceof java.sql.BatchUpdateException b && b.getNextException() != null && t != b.getNextException()
                    && isBadData(b.getNextException())) {
                return true;
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool replaces it
        }
    }
}
