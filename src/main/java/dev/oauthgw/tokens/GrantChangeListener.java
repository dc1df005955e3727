package dev.oauthgw.tokens;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLongArray;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;

/**
 * Keeps {@link TokenCache} true to the database on this replica: LISTENs on channel {@value #CHANNEL}, where
 * triggers on {@code partner_grant} announce every committed insert, change and deletion (V14) and every TRUNCATE
 * (V15), and evicts the partner's entry (or drops everything). It holds one connection of its own (not from the pool,
 * which would hand it to others and validate it away), named {@value #APPLICATION_NAME} and this process's id in
 * {@code pg_stat_activity}.
 * <p>
 * The cache serves only while this listener can show that it hears (docs/adr/0014-sealed-token-cache.md):
 * <ul>
 * <li>its connection is up and LISTENs: when it fails (PostgreSQL restarts or fails over, an operator terminates the
 * backend, the network goes) the cache stops serving at once, and it connects again every
 * {@code gateway.tokens.cache.listener-retry};</li>
 * <li>it heard one of this replica's own heartbeats ({@link CacheHeartbeat}: a {@code pg_notify} written through the
 * application's pool every {@code gateway.tokens.cache.heartbeat-every}) sent within
 * {@code gateway.tokens.cache.heartbeat-timeout}: a connection that answers {@code select 1} but receives nothing (a
 * pooler in transaction mode, a listener left on an old primary) suspends the cache within that bound;</li>
 * <li>nothing went wrong in its loop: any {@link Throwable}, an {@link Error} too, suspends the cache, and the loop
 * connects again after {@code listener-retry}.</li>
 * </ul>
 * Whenever the cache serves again, it first drops everything it held (what changed meanwhile may never have been
 * announced to it). The state is in readiness ({@link TokenCacheHealthCheck}) and in metrics.
 */
@ApplicationScoped
public class GrantChangeListener {

    public static final String CHANNEL = "gateway_grant_changed";
    /** Where each replica's heartbeats go: {@code ping:<replica id>:<sequence>}. */
    public static final String HEARTBEAT_CHANNEL = "gateway_cache_heartbeat";
    /** Followed by a space and this process's id. */
    public static final String APPLICATION_NAME = "gateway-token-cache";
    /** The payload of V15's statement trigger: partner_grant was truncated. */
    static final String TRUNCATE = "TRUNCATE";

    private static final Logger LOG = Logger.getLogger(GrantChangeListener.class);
    private static final int POLL_MS = 250;
    private static final long CHECK_EVERY_MS = 5_000;

    /** Why the cache does not serve. */
    public enum Suspension {
        /** The listener has not heard its first heartbeat since the application started. */
        STARTING,
        /** The listening connection failed or could not be made. */
        CONNECTION_LOST,
        /** The connection is up, but no heartbeat sent within the bound was heard. */
        HEARTBEAT_MISSED,
        /** Something unexpected (an Error too) was thrown in the listener's loop. */
        LISTENER_FAILED,
        /** The application is stopping. */
        STOPPED;

        /** The metric label and readiness value: {@code heartbeat_missed}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One announced change, as the trigger writes it: {@code <op>:<version>:<grant id>:<partner id>}. */
    record Change(String partnerId, UUID grantId, long version, boolean deleted) {

        static Optional<Change> parse(String payload) {
            if (payload == null) {
                return Optional.empty();
            }
            String[] p = payload.split(":", 4);
            if (p.length != 4 || p[3].isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Change(p[3], UUID.fromString(p[2]), Long.parseLong(p[1]), "DELETE".equals(p[0])));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }

    private final TokenCache cache;
    private final TokensConfig config;
    private final Config mpConfig;
    private final CacheHeartbeat heartbeat;
    private final Event<CacheHeartbeatHeard> heard;
    private final AtomicLongArray suspensions = new AtomicLongArray(Suspension.values().length);
    private volatile boolean running;
    private volatile boolean listening;
    private volatile Connection current;
    private volatile Thread thread;
    // guarded by this
    private Suspension suspension = Suspension.STARTING;
    private String detail = "not connected yet";
    private Instant since = Instant.now();

    public GrantChangeListener(TokenCache cache, TokensConfig config, Config mpConfig, CacheHeartbeat heartbeat,
            Event<CacheHeartbeatHeard> heard) {
        this.cache = cache;
        this.config = config;
        this.mpConfig = mpConfig;
        this.heartbeat = heartbeat;
        this.heard = heard;
    }

    void start(@Observes StartupEvent e) {
        if (!cache.enabled()) {
            LOG.info("The token cache is off (gateway.tokens.cache.enabled=false): GET /tokens reads the database");
            return;
        }
        running = true;
        startThread();
    }

    private synchronized void startThread() {
        Thread t = new Thread(this::run, "grant-change-listener");
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((th, error) -> {
            // only reachable through a failure while handling a failure; the scheduled beat starts a new thread
            suspend(Suspension.LISTENER_FAILED, "the listener thread ended: " + error.getClass().getName());
            LOG.error("The token cache's listener thread ended; the cache does not serve until it is started again",
                    error);
        });
        thread = t;
        t.start();
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        suspend(Suspension.STOPPED, "the application is stopping");
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            closeQuietly(current);
            try {
                t.join(5_000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Every {@code gateway.tokens.cache.heartbeat-every}, on a worker thread: judges the heartbeat (also when the
     * listener's own thread is stuck or gone, which would otherwise judge it), starts a listener thread that ended,
     * and sends the next heartbeat through the pool. It runs from the scheduler's start on, while the rest of the
     * application may still be starting: the listener's first heartbeat is sent when it LISTENs, and the next ones
     * must follow within the bound.
     */
    @Scheduled(identity = "token-cache-heartbeat", every = "{gateway.tokens.cache.heartbeat-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void beat() {
        if (!running) {
            return;
        }
        watch();
        Thread t = thread;
        if (t != null && !t.isAlive() && running) {
            LOG.warn("Starting the token cache's listener thread again");
            startThread();
        }
        if (listening) {
            heartbeat.ping();
        }
    }

    /** Whether the listening connection is up and LISTENs (the cache may still wait for a heartbeat). */
    public boolean listening() {
        return listening;
    }

    /** The listener and its heartbeat, for readiness and metrics. */
    public CacheListenerStatus status() {
        Suspension s;
        String d;
        Instant at;
        synchronized (this) {
            s = suspension;
            d = detail;
            at = since;
        }
        boolean enabled = cache.enabled();
        Instant now = Instant.now();
        return new CacheListenerStatus(enabled, cache.serving(), listening, heartbeat.replicaId(),
                enabled ? Optional.ofNullable(s) : Optional.empty(), enabled ? d : "the cache is off", at,
                heartbeat.sinceLastHeard().map(now::minus), heartbeat.age(), heartbeat.bound(), heartbeat.lastRoundTrip(),
                heartbeat.unheard(), heartbeat.failures());
    }

    /** Times the cache was suspended for this reason (serving, or suspended for another reason, before). */
    public long suspensions(Suspension why) {
        return suspensions.get(why.ordinal());
    }

    /**
     * Stops the cache serving, for this reason.
     *
     * @return whether the reason is new (the cache served, or was suspended for another reason)
     */
    private synchronized boolean suspend(Suspension why, String what) {
        if (cache.serving()) {
            cache.suspend(); // stops serving and drops everything
        }
        detail = what;
        if (suspension == why) {
            return false;
        }
        suspension = why;
        since = Instant.now();
        suspensions.incrementAndGet(why.ordinal());
        return true;
    }

    /** Serves again when the connection LISTENs and a heartbeat sent within the bound was heard. */
    private synchronized boolean resumeIfHeard() {
        if (!running || !listening || suspension == null || !heartbeat.fresh()) {
            return false;
        }
        cache.resume(); // drops everything first: what changed while suspended may never have been announced
        suspension = null;
        detail = null;
        since = Instant.now();
        return true;
    }

    /**
     * Suspends the cache when it serves and no heartbeat sent within the bound was heard; and says so when the
     * listener has LISTENed for longer than the bound without hearing its first heartbeat (it never served).
     */
    void watch() {
        String what;
        synchronized (this) {
            if (!running) {
                return;
            }
            boolean missed = suspension == null ? !heartbeat.fresh()
                    : suspension != Suspension.HEARTBEAT_MISSED && listening && heartbeat.deafSinceListen();
            if (!missed) {
                return;
            }
            what = heartbeat.age().map(a -> "the newest heartbeat heard was sent " + a.toMillis() + " ms ago")
                    .orElse("no heartbeat heard since the listener connected") + "; bound " + heartbeat.bound()
                    + "; " + heartbeat.unheard() + " sent and not heard, " + heartbeat.consecutiveFailures()
                    + " not sent in a row";
            suspend(Suspension.HEARTBEAT_MISSED, what);
        }
        LOG.warnf("Token cache suspended: its listener does not hear its own heartbeats (%s). The listening connection "
                + "may answer queries and still receive no notifications: a pooler in transaction mode between the "
                + "gateway and PostgreSQL, or a listener left on an old primary after a failover. GET /tokens reads the "
                + "database until a heartbeat is heard again", what);
    }

    private void run() {
        boolean warned = false;
        String lastFailure = null;
        while (running) {
            try (Connection c = connect()) {
                current = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                    st.execute("LISTEN " + HEARTBEAT_CHANNEL);
                }
                heartbeat.listening();
                listening = true;
                warned = false;
                lastFailure = null;
                heartbeat.ping(); // the first proof: the cache serves once the listener has heard it
                listen(c);
            } catch (SQLException e) {
                suspend(Suspension.CONNECTION_LOST, "the listening connection failed: " + describe(e));
                if (!running) {
                    break;
                }
                if (!warned) {
                    LOG.warnf("Not listening for grant changes (%s): GET /tokens reads the database until the listener "
                            + "is back; retrying every %s", e.getMessage(), config.cache().listenerRetry());
                    warned = true;
                }
            } catch (Throwable t) { // an Error too: a listener that died must never leave the cache serving
                suspend(Suspension.LISTENER_FAILED, "the listener failed: " + describe(t));
                if (!running) {
                    break;
                }
                String failure = describe(t);
                if (!failure.equals(lastFailure)) {
                    LOG.errorf(t, "The token cache's listener failed; GET /tokens reads the database until it has "
                            + "connected again and heard its heartbeat (retrying every %s)", config.cache().listenerRetry());
                    lastFailure = failure;
                } else {
                    LOG.debugf("The token cache's listener failed again: %s", failure);
                }
            } finally {
                listening = false;
                heartbeat.notListening();
                current = null;
            }
            sleep(config.cache().listenerRetry().toMillis());
        }
    }

    private void listen(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long lastCheck = System.nanoTime();
        while (running) {
            PGNotification[] got = pg.getNotifications(POLL_MS);
            if (got != null) {
                for (PGNotification n : got) {
                    dispatch(n);
                }
            }
            if (resumeIfHeard()) {
                LOG.infof("Listening for grant changes (channel %s) and hearing this replica's heartbeat: the token "
                        + "cache serves", CHANNEL);
            } else {
                watch();
            }
            if (System.nanoTime() - lastCheck > CHECK_EVERY_MS * 1_000_000) {
                try (Statement st = c.createStatement()) {
                    st.execute("select 1"); // a connection gone silent (no FIN) fails here, within the socket timeout
                }
                lastCheck = System.nanoTime();
            }
        }
    }

    private void dispatch(PGNotification n) {
        if (HEARTBEAT_CHANNEL.equals(n.getName())) {
            Optional<Duration> roundTrip = heartbeat.heard(n.getParameter());
            if (roundTrip.isPresent()) {
                heard.fire(new CacheHeartbeatHeard(roundTrip.get()));
            }
            return;
        }
        String payload = n.getParameter();
        if (TRUNCATE.equals(payload)) {
            LOG.info("partner_grant was truncated: the whole token cache is dropped");
            cache.flush();
            return;
        }
        Optional<Change> change = Change.parse(payload);
        if (change.isPresent()) {
            Change ch = change.get();
            cache.changed(ch.partnerId(), ch.grantId(), ch.version(), ch.deleted());
        } else {
            // not ours to read: drop everything rather than guess which partner it meant
            LOG.warnf("Unreadable grant change announcement on %s; dropping the whole token cache", CHANNEL);
            cache.flush();
        }
    }

    private Connection connect() throws SQLException {
        String url = mpConfig.getValue("quarkus.datasource.jdbc.url", String.class);
        Properties p = new Properties();
        mpConfig.getOptionalValue("quarkus.datasource.username", String.class).ifPresent(u -> p.setProperty("user", u));
        mpConfig.getOptionalValue("quarkus.datasource.password", String.class)
                .ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("ApplicationName", APPLICATION_NAME + " " + ProcessHandle.current().pid());
        p.setProperty("connectTimeout", "5");
        p.setProperty("loginTimeout", "10");
        p.setProperty("socketTimeout", "15");
        p.setProperty("tcpKeepAlive", "true");
        Connection c = DriverManager.getConnection(url, p);
        c.setAutoCommit(true);
        return c;
    }

    /** The kind of failure, for readiness: the class and SQL state, never a message (it may quote configuration). */
    private static String describe(Throwable t) {
        String s = t.getClass().getName();
        if (t instanceof SQLException sql && sql.getSQLState() != null) {
            s += " (SQL state " + sql.getSQLState() + ")";
        }
        return s;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            if (!running) {
                return;
            }
            Thread.currentThread().interrupt();
        }
    }
}
