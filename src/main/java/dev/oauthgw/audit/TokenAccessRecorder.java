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
 * JDBC batches. When the queue is full the caller writes its record itself (back-pressure, never a
 * dropped record); on a clean shutdown the queue is drained before the database goes away.
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
            write(List.of(a)); // not started, shutting down, or full: write it ourselves
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

    private void loop() {
        List<Access> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Access first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "Could not write %d token access records; retrying", batch.size());
                sleepQuietly();
                continue;
            }
            batch.clear();
        }
    }

    private void write(List<Access> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Access a : batch) {
                ps.setTimestamp(1, Timestamp.from(a.at()));
                ps.setString(2, a.caller() == null ? "anonymous" : a.caller());
                ps.setString(3, AuditAction.TOKEN_SERVED.name());
                ps.setString(4, a.partnerId());
                ps.setObject(5, a.grantId());
                ps.setString(6, a.requestId());
                ps.setString(7, "{\"kind\":\"" + a.kind() + "\",\"token_expires_at\":\"" + a.tokenExpiresAt() + "\"}");
                ps.addBatch();
            }
            ps.executeBatch();
            if (!c.getAutoCommit()) {
                c.commit();
            }
            written.addAndGet(batch.size());
        } catch (SQLException e) {
            throw new IllegalStateException("token access records not written: " + e.getMessage(), e);
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
