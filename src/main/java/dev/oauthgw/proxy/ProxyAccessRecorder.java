package dev.oauthgw.proxy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.jboss.logging.Logger;

import dev.oauthgw.audit.AuditText;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Who called what through the proxy, for which partner: one row per (caller, partner, method, path template) with
 * the first and last call, how many, and the last status. Calls are counted in memory and written by one thread in
 * batches ({@code gateway.proxy.audit-flush-every}), so a request never waits for an insert and the table grows with
 * the distinct (caller, partner, method, template) combinations, not with the calls. Never a body, a query string
 * or a token. A batch the database refuses is kept and merged into the next one; the rest is written at shutdown.
 */
@ApplicationScoped
public class ProxyAccessRecorder {

    private static final Logger LOG = Logger.getLogger(ProxyAccessRecorder.class);
    /** Beyond this many distinct keys waiting, the caller writes them itself (back-pressure). */
    private static final int MAX_PENDING = 50_000;
    private static final String UPSERT = "insert into proxy_access as a (caller, partner_id, method, path_template, "
            + "first_at, last_at, calls, last_status) values (?, ?, ?, ?, ?, ?, ?, ?) "
            + "on conflict (caller, partner_id, method, path_template) do update set "
            + "first_at = least(a.first_at, excluded.first_at), last_at = greatest(a.last_at, excluded.last_at), "
            + "calls = a.calls + excluded.calls, last_status = case when excluded.last_at >= a.last_at "
            + "then excluded.last_status else a.last_status end";

    record Key(String caller, String partnerId, String method, String template) {
    }

    static final class Counted {
        Instant first;
        Instant last;
        long calls;
        int lastStatus;

        Counted add(Instant at, long n, int status) {
            if (first == null || at.isBefore(first)) {
                first = at;
            }
            if (last == null || !at.isBefore(last)) {
                last = at;
                lastStatus = status;
            }
            calls += n;
            return this;
        }
    }

    private final AgroalDataSource dataSource;
    private final ProxyConfig config;
    private final ReentrantReadWriteLock swap = new ReentrantReadWriteLock();
    private volatile ConcurrentHashMap<Key, Counted> pending = new ConcurrentHashMap<>();
    private final AtomicLong written = new AtomicLong();
    private volatile boolean running;
    private Thread writer;

    public ProxyAccessRecorder(AgroalDataSource dataSource, ProxyConfig config) {
        this.dataSource = dataSource;
        this.config = config;
    }

    void start(@Observes StartupEvent e) {
        running = true;
        writer = new Thread(this::loop, "proxy-access-recorder");
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
        flushAll();
    }

    /** Counts one call; cheap (a map update), written later. */
    public void record(String caller, String partnerId, String method, String template, int status, Instant at) {
        Key k = new Key(AuditText.bounded(caller == null ? "anonymous" : caller, 255), AuditText.bounded(partnerId, 64),
                method, AuditText.bounded(template, 255));
        int size;
        swap.readLock().lock();
        try {
            pending.compute(k, (key, c) -> (c == null ? new Counted() : c).add(at, 1, status));
            size = pending.size();
        } finally {
            swap.readLock().unlock();
        }
        if (size > MAX_PENDING) {
            flushAll();
        }
    }

    /** Writes everything counted so far (tests, shutdown, and the writer thread). */
    public synchronized void flushAll() {
        Map<Key, Counted> batch;
        swap.writeLock().lock();
        try {
            if (pending.isEmpty()) {
                return;
            }
            batch = pending;
            pending = new ConcurrentHashMap<>();
        } finally {
            swap.writeLock().unlock();
        }
        try {
            write(batch);
            written.addAndGet(batch.size());
        } catch (RuntimeException e) {
            LOG.errorf("Could not write %d proxy access records (%s); kept for the next batch", batch.size(),
                    e.getMessage());
            swap.readLock().lock();
            try {
                batch.forEach((k, c) -> pending.compute(k, (key, now) -> (now == null ? new Counted() : now)
                        .add(c.first, 0, c.lastStatus).add(c.last, c.calls, c.lastStatus)));
            } finally {
                swap.readLock().unlock();
            }
        }
    }

    /** Rows written (one per key and batch). */
    public long written() {
        return written.get();
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(config.auditFlushEvery().toMillis());
                flushAll();
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException e) {
                LOG.errorf("Proxy access recorder: %s", e.getMessage());
            }
        }
    }

    private void write(Map<Key, Counted> batch) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (Map.Entry<Key, Counted> e : batch.entrySet()) {
                Key k = e.getKey();
                Counted n = e.getValue();
                ps.setString(1, k.caller());
                ps.setString(2, k.partnerId());
                ps.setString(3, k.method());
                ps.setString(4, k.template());
                ps.setTimestamp(5, Timestamp.from(n.first));
                ps.setTimestamp(6, Timestamp.from(n.last));
                ps.setLong(7, n.calls);
                ps.setInt(8, n.lastStatus);
                ps.addBatch();
            }
            ps.executeBatch();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("proxy access records not written: " + e.getMessage(), e);
        }
    }
}
