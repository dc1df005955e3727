package dev.oauthgw.tokens;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The proof that the token cache's listener hears what is committed (docs/adr/0014-sealed-token-cache.md,
 * "Heartbeat"): this replica writes {@code select pg_notify('gateway_cache_heartbeat', 'ping:<replica>:<seq>')}
 * <em>through the application's connection pool</em>, the way grant changes are committed, and its
 * {@link GrantChangeListener} must hear its own pings. A live listening connection ({@code select 1}) is not enough:
 * a pooler in transaction mode, or a listener left on an old primary after a failover, answers queries and delivers
 * nothing.
 * <p>
 * Sending is blocking (a pooled connection, a statement with a query timeout): it runs on the scheduler's worker
 * thread or the listener's own thread, never on the event loop.
 */
@ApplicationScoped
public class CacheHeartbeat {

    private static final Logger LOG = Logger.getLogger(CacheHeartbeat.class);
    private static final String PREFIX = "ping:";

    private final AgroalDataSource pool;
    private final Duration bound;
    private final String replicaId;
    private final HeartbeatLedger ledger = new HeartbeatLedger();
    private final AtomicLong seq = new AtomicLong();
    private final LongAdder sent = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicLong consecutiveFailures = new AtomicLong();

    @Inject
    public CacheHeartbeat(AgroalDataSource pool, TokensConfig config) {
        this.pool = pool;
        this.bound = config.cache().heartbeatTimeout();
        this.replicaId = ProcessHandle.current().pid() + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** This process's name in its pings: the process id and a random part (process ids repeat across pods). */
    public String replicaId() {
        return replicaId;
    }

    /** The bound: the newest heartbeat heard must have been sent at most this long ago for the cache to serve. */
    public Duration bound() {
        return bound;
    }

    /**
     * Sends one ping through the pool, if the listener is listening (else it would prove nothing). Never throws for
     * a database failure: a ping that could not be sent is counted, and the cache stops serving once no ping was
     * heard within the bound, whatever the reason.
     *
     * @return whether the ping was committed
     */
    public boolean ping() {
        long s = seq.incrementAndGet();
        if (!ledger.sending(s, System.nanoTime())) {
            return false;
        }
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("select pg_notify(?, ?)")) {
            ps.setQueryTimeout((int) Math.max(1, bound.toSeconds()));
            ps.setString(1, GrantChangeListener.HEARTBEAT_CHANNEL);
            ps.setString(2, PREFIX + replicaId + ":" + s);
            ps.execute();
            sent.increment();
            consecutiveFailures.set(0);
            return true;
        } catch (SQLException | RuntimeException e) {
            failures.increment();
            consecutiveFailures.incrementAndGet();
            LOG.debugf("Token cache heartbeat %d not sent through the pool: %s", s, e.toString());
            return false;
        }
    }

    /**
     * A payload heard on the heartbeat channel.
     *
     * @return the round trip of this replica's own ping (sent through the pool, heard by the listener); empty for
     *         another replica's ping, an unreadable payload, or a ping sent before the listener last LISTENed
     */
    Optional<Duration> heard(String payload) {
        if (payload == null || !payload.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int colon = payload.lastIndexOf(':');
        if (colon <= PREFIX.length() || !payload.substring(PREFIX.length(), colon).equals(replicaId)) {
            return Optional.empty();
        }
        long s;
        try {
            s = Long.parseLong(payload.substring(colon + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        OptionalLong rt = ledger.heard(s, System.nanoTime());
        return rt.isPresent() ? Optional.of(Duration.ofNanos(rt.getAsLong())) : Optional.empty();
    }

    /** The listener LISTENs (again) from now on: only pings sent from now on count. */
    void listening() {
        ledger.listening(System.nanoTime());
    }

    /** The listener lost its connection. */
    void notListening() {
        ledger.notListening();
    }

    /** Whether the newest ping heard since the last LISTEN was sent within the bound. */
    boolean fresh() {
        return ledger.fresh(System.nanoTime(), bound.toNanos());
    }

    /** Whether the listener LISTENs for longer than the bound and has heard no ping since. */
    boolean deafSinceListen() {
        return ledger.deafSinceListen(System.nanoTime(), bound.toNanos());
    }

    /** How long ago the newest ping heard since the last LISTEN was sent; empty when none was heard. */
    public Optional<Duration> age() {
        long age = ledger.age(System.nanoTime());
        return age == HeartbeatLedger.NONE ? Optional.empty() : Optional.of(Duration.ofNanos(age));
    }

    /** How long ago the last ping was heard; empty when never. */
    public Optional<Duration> sinceLastHeard() {
        long at = ledger.lastHeardAt();
        return at == HeartbeatLedger.NONE ? Optional.empty() : Optional.of(Duration.ofNanos(System.nanoTime() - at));
    }

    /** The last heard ping's round trip; empty when never. */
    public Optional<Duration> lastRoundTrip() {
        long rt = ledger.lastRoundTrip();
        return rt == HeartbeatLedger.NONE ? Optional.empty() : Optional.of(Duration.ofNanos(rt));
    }

    /** Pings sent since the listener last LISTENed and not heard. */
    public int unheard() {
        return ledger.unheard();
    }

    /** Pings committed through the pool. */
    public long sent() {
        return sent.sum();
    }

    /** Pings the pool could not send (no connection in time, the database down, the query timed out). */
    public long failures() {
        return failures.sum();
    }

    /** Pings that failed in a row up to now (0 after one that was sent). */
    long consecutiveFailures() {
        return consecutiveFailures.get();
    }
}
