package dev.oauthgw.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Records every token handed out (caller, partner, the token's expiry, request id) without making the
 * request wait for its own insert: records go to a bounded queue that one writer thread flushes in
 * JDBC batches. When the queue is full the caller writes its record itself (back-pressure); on a clean
 * shutdown the queue is drained before the database goes away.
 * <p>
 * One bad record never stalls the rest: text is cleaned and cut to its column ({@link AuditText}); a batch
 * the database refuses is written row by row, and a row it refuses for its data (SQL state class 22 or 23)
 * is logged without secrets, counted in {@link #dropped()} and left out. While the database itself is
 * unavailable the writer retries the same batch (at most {@value #BATCH} records held beside the queue).
 */
@ApplicationScoped
public class TokenAccessRecorder {

    private static final Logger LOG = Logger.getLogger(TokenAccessRecorder.class);
    private static final int CAPACITY = 50_000;
    private static final int BATCH = 1_000;
    private static final String INSERT = "insert into audit_event (occurred_at, actor, action, partner_id, grant_id, "
            + "request_id, detail) values (?, ?, ?, ?, ?, ?, cast(? as jsonb))";

    /** One token handed out. {@code subject} is a token's expiry, never the token. */
    public record Access(Instant at, String caller, String partnerId, UUID grantId, String requestId,
            Instant tokenExpiresAt, String kind) {
    }

    private final BlockingQueue<Access> queue = new LinkedBlockingQueue<>(CAPACITY);
    private final AgroalDataSource dataSource;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;
    private Thread writer;

    public TokenAccessRecorder(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    void start(@Observes StartupEvent e) {
        running = true;
        writer = new Thread(this::loop, "token-access-recorder");
        writer.setDaemon(true);
        writer.start();
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        if (writer != null) {
            writer.interrupt();
            try {
                writer.join(10_000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        flushAll(); // whatever the writer did not take
    }

    public void record(Access a) {
        if (!running || !queue.offer(a)) {
            write(new ArrayList<>(List.of(a))); // not started, shutting down, or full: write it ourselves
        }
    }

    /** Writes everything queued so far (tests and shutdown). */
    public void flushAll() {
        List<Access> batch = new ArrayList<>();
        while (queue.drainTo(batch, BATCH) > 0) {
            write(batch);
            batch.clear();
        }
    }

    public long written() {
        return written.get();
    }

    /** Records the database refused for their data (logged one by one); never counted as written. */
    public long dropped() {
        return dropped.get();
    }

    /** Records waiting in the queue. */
    public int queued() {
        return queue.size();
    }

    private void loop() {
        List<Access> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Access first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                }
                write(batch); // takes out what it wrote or dropped
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException e) {
                if (!running) {
                    break; // shutting down with the database gone: stop() tries once more
                }
                LOG.errorf("Could not write %d token access records (%s); retrying", batch.size(), e.getMessage());
                sleepQuietly();
            }
        }
        queue.addAll(batch.subList(0, Math.min(batch.size(), queue.remainingCapacity())));
    }

    /**
     * Writes the batch and empties it. A batch the database refuses is written row by row; a row refused for
     * its data is dropped (logged, counted). Any other failure leaves the unwritten rows in the batch.
     */
    private void write(List<Access> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            try {
                insert(c, batch);
                written.addAndGet(batch.size());
                batch.clear();
                return;
            } catch (SQLException e) {
                rollbackQuietly(c);
                if (batch.size() == 1 && !isBadData(e)) {
                    throw e;
                }
            }
            while (!batch.isEmpty()) {
                Access a = batch.get(0);
                try {
                    insert(c, List.of(a));
                    written.incrementAndGet();
                } catch (SQLException e) {
                    rollbackQuietly(c);
                    if (!isBadData(e)) {
                        throw e;
                    }
                    dropped.incrementAndGet();
                    LOG.errorf("Token access record dropped: the database refused it (%s, SQL state %s): caller %s, "
                            + "partner %s, request %s", e.getMessage(), e.getSQLState(), clean(a.caller(), 255),
                            clean(a.partnerId(), 64), clean(a.requestId(), 64));
                }
                batch.remove(0);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("token access records not written: " + e.getMessage(), e);
        }
    }

    private static void insert(Connection c, List<Access> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Access a : rows) {
                ps.setTimestamp(1, Timestamp.from(a.at()));
                ps.setString(2, a.caller() == null ? "anonymous" : clean(a.caller(), 255));
                ps.setString(3, AuditAction.TOKEN_SERVED.name());
                ps.setString(4, clean(a.partnerId(), 64));
                ps.setObject(5, a.grantId());
                ps.setString(6, clean(a.requestId(), 64));
                ps.setString(7, "{\"kind\":\"" + clean(a.kind(), 16).replace('"', '\'') + "\",\"token_expires_at\":\"" + a.tokenExpiresAt()
                        + "\"}");
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!c.getAutoCommit()) {
            c.commit();
        }
    }

    private static String clean(String s, int max) {
        return AuditText.bounded(s, max);
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
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is broken; the pool replaces it
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
