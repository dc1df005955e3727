package dev.oauthgw.proxy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The proxy's request budget per registration, for the whole cluster, without a database write per request
 * (ADR 0016). A window's budget (a minute's, as Pax8 counts) lives in one row of {@code proxy_rate_window}; a
 * replica leases a slice of it with one atomic update that never takes the row past its limit, spends the slice
 * locally, and leases again when it is spent. The sum of all leases of a window never passes the limit, so neither
 * do the requests forwarded in it, however many replicas run. A slice not spent by the window's end is lost (at most
 * one slice per replica and window).
 * <p>
 * The provider's own 429 blocks the registration for its Retry-After: written to the same table, read by every
 * replica when it leases and at least every {@code block-check-every} (a read, not a write).
 * <p>
 * The token endpoint's budget (refresh.RateBudget, one unit per call: refreshes are rare) is apart and untouched.
 */
@ApplicationScoped
public class ProxyBudget {

    /** A request may go ({@link #granted}), or not before {@link #retryAfter} for {@link #reason}. */
    public record Decision(boolean granted, Duration retryAfter, Reason reason) {
        static final Decision GRANTED = new Decision(true, Duration.ZERO, null);
    }

    public enum Reason {
        /** this window's budget is spent (by this replica and the others) */
        SPENT,
        /** the provider answered 429: nobody calls it before its Retry-After */
        BLOCKED
    }

    /** One replica's view of a registration's budget. */
    private static final class Local {
        long window = Long.MIN_VALUE;
        int left;
        long spentWindow = Long.MIN_VALUE;
        Instant blockedUntil;
        Instant blockCheckedAt = Instant.EPOCH;
        long usedLocally;
    }

    private final AgroalDataSource dataSource;
    private final ProxyConfig config;
    private final Clock clock;
    private final Map<String, Local> locals = new ConcurrentHashMap<>();
    private volatile Duration windowOverride;
    private volatile Integer sliceOverride;
    private volatile Integer limitOverride;

    public ProxyBudget(AgroalDataSource dataSource, ProxyConfig config, Clock clock) {
        this.dataSource = dataSource;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Tests only: another window length, slice and limit without a test profile of their own (null: configuration);
     * forgets what this replica had leased.
     */
    public void override(Duration window, Integer slice, Integer limit) {
        this.windowOverride = window;
        this.sliceOverride = slice;
        this.limitOverride = limit;
        locals.clear();
    }

    public Duration window() {
        Duration w = windowOverride;
        return w != null ? w : config.budgetWindow();
    }

    int slice() {
        Integer s = sliceOverride;
        return Math.max(1, s != null ? s : config.budgetSlice());
    }

    /** Takes one request from the registration's budget of {@code limit} per window. */
    public Decision tryAcquire(String registration, int configuredLimit) {
        Integer o = limitOverride;
        int limit = o != null ? o : configuredLimit;
        Local l = locals.computeIfAbsent(registration, k -> new Local());
        synchronized (l) {
            Instant now = clock.instant();
            long w = windowStart(now);
            if (!now.isBefore(l.blockCheckedAt.plus(config.blockCheckEvery()))) {
                l.blockedUntil = readBlock(registration, now);
                l.blockCheckedAt = now;
            }
            if (l.blockedUntil != null && now.isBefore(l.blockedUntil)) {
                return new Decision(false, Duration.between(now, l.blockedUntil), Reason.BLOCKED);
            }
            if (l.window != w) {
                l.window = w; // what was left of the last window's slice is gone with it
                l.left = 0;
            }
            if (l.left == 0 && l.spentWindow != w) {
                l.left = lease(registration, w, limit, slice());
                if (l.left == 0) {
                    l.spentWindow = w; // no database trip per request once the window is known to be spent
                }
            }
            if (l.left > 0) {
                l.left--;
                l.usedLocally++;
                return Decision.GRANTED;
            }
            return new Decision(false, untilNextWindow(now), Reason.SPENT);
        }
    }

    /** The provider said 429: no replica calls it for this registration before {@code until}. */
    public void block(String registration, int limit, Instant until) {
        Local l = locals.computeIfAbsent(registration, k -> new Local());
        synchronized (l) {
            if (l.blockedUntil == null || until.isAfter(l.blockedUntil)) {
                l.blockedUntil = until;
            }
        }
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into proxy_rate_window as w (registration, window_start, request_limit, leased, blocked_until) "
                        + "values (?, ?, ?, 0, ?) on conflict (registration, window_start) do update set blocked_until = "
                        + "greatest(coalesce(w.blocked_until, excluded.blocked_until), excluded.blocked_until)")) {
            ps.setString(1, registration);
            ps.setTimestamp(2, Timestamp.from(Instant.ofEpochMilli(windowStart(now))));
            ps.setInt(3, Math.max(0, limit));
            ps.setTimestamp(4, Timestamp.from(until));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not share the provider's rate limit: " + e.getMessage(), e);
        }
    }

    /** Requests leased by all replicas in the current window (read at each metrics scrape, not per request). */
    public int leasedThisWindow(String registration) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select leased from proxy_rate_window where registration = ? and window_start = ?")) {
            ps.setString(1, registration);
            ps.setTimestamp(2, Timestamp.from(Instant.ofEpochMilli(windowStart(clock.instant()))));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the proxy budget: " + e.getMessage(), e);
        }
    }

    /** Requests this replica let through since it started. */
    public long usedLocally(String registration) {
        Local l = locals.get(registration);
        return l == null ? 0 : l.usedLocally;
    }

    /** Drops windows older than a day (and their blocks once over). */
    @Scheduled(every = "1h", delayed = "10m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "delete from proxy_rate_window where window_start < ? and (blocked_until is null or blocked_until < ?)")) {
            ps.setTimestamp(1, Timestamp.from(now.minus(Duration.ofDays(1))));
            ps.setTimestamp(2, Timestamp.from(now));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not prune the proxy budget: " + e.getMessage(), e);
        }
    }

    long windowStart(Instant now) {
        long w = window().toMillis();
        return Math.floorDiv(now.toEpochMilli(), w) * w;
    }

    Duration untilNextWindow(Instant now) {
        return Duration.ofMillis(windowStart(now) + window().toMillis() - now.toEpochMilli());
    }

    /**
     * Leases up to {@code slice} requests of the window (fewer when fewer are left), with one atomic update; 0 when
     * the window is spent. The row's limit is fixed when the window's first lease creates it.
     */
    private int lease(String registration, long window, int limit, int slice) {
        Timestamp start = Timestamp.from(Instant.ofEpochMilli(window));
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("insert into proxy_rate_window (registration, window_start, "
                    + "request_limit, leased) values (?, ?, ?, 0) on conflict (registration, window_start) do nothing")) {
                ps.setString(1, registration);
                ps.setTimestamp(2, start);
                ps.setInt(3, Math.max(0, limit));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("update proxy_rate_window w set leased = "
                    + "least(w.request_limit, w.leased + ?) from (select leased as before from proxy_rate_window "
                    + "where registration = ? and window_start = ? for update) o "
                    + "where w.registration = ? and w.window_start = ? and w.leased < w.request_limit "
                    + "returning w.leased - o.before")) {
                ps.setInt(1, slice);
                ps.setString(2, registration);
                ps.setTimestamp(3, start);
                ps.setString(4, registration);
                ps.setTimestamp(5, start);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not lease from the proxy budget: " + e.getMessage(), e);
        }
    }

    private Instant readBlock(String registration, Instant now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select max(blocked_until) from proxy_rate_window where registration = ? and blocked_until > ?")) {
            ps.setString(1, registration);
            ps.setTimestamp(2, Timestamp.from(now));
            try (ResultSet rs = ps.executeQuery()) {
                Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
                return t == null ? null : t.toInstant();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the provider's rate limit: " + e.getMessage(), e);
        }
    }
}
