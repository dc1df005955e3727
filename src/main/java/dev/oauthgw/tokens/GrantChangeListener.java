package dev.oauthgw.tokens;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Keeps {@link TokenCache} true to the database on this replica: LISTENs on channel {@value #CHANNEL}, where a
 * trigger on {@code partner_grant} announces every committed insert, change and deletion (V14), and evicts the
 * partner's entry. It holds one connection of its own (not from the pool, which would hand it to others and
 * validate it away), named {@value #APPLICATION_NAME} and this process's id in {@code pg_stat_activity}.
 * <p>
 * When the connection fails (PostgreSQL restarts or fails over, an operator terminates the backend, the network
 * goes), the cache stops serving at once and every GET /tokens reads the database; the listener connects again
 * every {@code gateway.tokens.cache.listener-retry}, and the cache serves again only after LISTEN succeeded and the
 * whole cache was dropped (what changed meanwhile was never announced to it). A connection that went silent is
 * found by a query every {@value #CHECK_EVERY_MS} ms.
 */
@ApplicationScoped
public class GrantChangeListener {

    public static final String CHANNEL = "gateway_grant_changed";
    /** Followed by a space and this process's id. */
    public static final String APPLICATION_NAME = "gateway-token-cache";

    private static final Logger LOG = Logger.getLogger(GrantChangeListener.class);
    private static final int POLL_MS = 250;
    private static final long CHECK_EVERY_MS = 5_000;

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
    private volatile boolean running;
    private volatile Connection current;
    private Thread thread;

    public GrantChangeListener(TokenCache cache, TokensConfig config, Config mpConfig) {
        this.cache = cache;
        this.config = config;
        this.mpConfig = mpConfig;
    }

    void start(@Observes StartupEvent e) {
        if (!cache.enabled()) {
            LOG.info("The token cache is off (gateway.tokens.cache.enabled=false): GET /tokens reads the database");
            return;
        }
        running = true;
        thread = new Thread(this::run, "grant-change-listener");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        cache.suspend();
        if (thread != null) {
            thread.interrupt();
            closeQuietly(current);
            try {
                thread.join(5_000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the listener is listening now (and so the cache serving). */
    public boolean listening() {
        return cache.serving();
    }

    private void run() {
        boolean warned = false;
        while (running) {
            try (Connection c = connect()) {
                current = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                cache.resume(); // after LISTEN: whatever changed before it is dropped with the rest
                LOG.infof("Listening for grant changes (channel %s): the token cache serves", CHANNEL);
                warned = false;
                listen(c);
            } catch (SQLException | RuntimeException e) {
                cache.suspend();
                if (!running) {
                    break;
                }
                if (!warned) {
                    LOG.warnf("Not listening for grant changes (%s): GET /tokens reads the database until the listener "
                            + "is back; retrying every %s", e.getMessage(), config.cache().listenerRetry());
                    warned = true;
                }
            } finally {
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
                    Optional<Change> change = Change.parse(n.getParameter());
                    if (change.isPresent()) {
                        Change ch = change.get();
                        cache.changed(ch.partnerId(), ch.grantId(), ch.version(), ch.deleted());
                    } else {
                        // not ours to read: drop everything rather than guess which partner it meant
                        LOG.warnf("Unreadable grant change announcement on %s; dropping the whole token cache", CHANNEL);
                        cache.flush();
                    }
                }
            }
            if (System.nanoTime() - lastCheck > CHECK_EVERY_MS * 1_000_000) {
                try (Statement st = c.createStatement()) {
                    st.execute("select 1"); // a connection gone silent (no FIN) fails here, within the socket timeout
                }
                lastCheck = System.nanoTime();
            }
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
        p.setProperty("socketTimeout", "15");
        p.setProperty("tcpKeepAlive", "true");
        Connection c = DriverManager.getConnection(url, p);
        c.setAutoCommit(true);
        return c;
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
