package dev.oauthgw.ops.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Read side of the dashboard's charts: access-token expiries over the next 24 hours and refresh outcomes over the
 * last 24 hours, one aggregate query each (24 rows at most per series, whatever the number of grants). Read-only
 * SQL; never a token.
 */
@ApplicationScoped
public class ChartQueryService {

    public static final int HOURS = 24;

    /**
     * Grants whose access token expires in {@code [from, from + 1 h)}, by state.
     *
     * @param from the start of the hour (bucket {@code i} starts {@code i} hours after "now")
     */
    public record ExpiryBucket(Instant from, long active, long refreshFailing) {
        public long total() {
            return active + refreshFailing;
        }
    }

    /**
     * Refresh attempts recorded in the clock hour starting at {@code from} (UTC): successes ({@code GRANT_REFRESHED}),
     * transient failures ({@code REFRESH_FAILED} of kind {@code TRANSIENT}), failures that made the grant need
     * re-authorization (to {@code REAUTH_REQUIRED}, the provider answered {@code invalid_grant}), and other failures
     * (the vendor's client rejected, a request refused, a malformed answer).
     */
    public record OutcomeBucket(Instant from, long success, long transientFailure, long reauthRequired,
            long otherFailure) {
        public long total() {
            return success + transientFailure + reauthRequired + otherFailure;
        }
    }

    /**
     * Hours since {@code ?} (the window's start), one bucket per hour, for ACTIVE and REFRESH_FAILING grants
     * expiring in the window: an index range scan of {@code partner_grant_state_expiry_idx (state,
     * access_expires_at)} per state, then a group by of at most 48 groups (GrantsAtScaleTest checks the plan; when
     * most of the table is in the window, as with 24-hour tokens, the planner rightly reads it whole: 100,000
     * grants in about 40 ms).
     */
    static final String EXPIRIES_SQL = "select floor(extract(epoch from (access_expires_at - cast(? as timestamptz))) / 3600)::int as bucket, "
            + "state, count(*) from partner_grant "
            + "where state in ('ACTIVE', 'REFRESH_FAILING') and access_expires_at >= ? and access_expires_at < ? "
            + "group by 1, 2";

    /**
     * Refresh outcomes by clock hour: an index range scan on {@code occurred_at} ({@code audit_event_action_idx (action,
     * occurred_at desc)} per action, or {@code audit_event_time_idx}; with 1,000,000 audit rows and 10,000 in the day
     * the planner took the latter, 5 ms). Failures written before ADR 0009 carry the new state as {@code state}, not
     * {@code to}.
     */
    static final String OUTCOMES_SQL = "select floor(extract(epoch from (occurred_at - cast(? as timestamptz))) / 3600)::int as bucket, "
            + "case when action = 'GRANT_REFRESHED' then 'success' "
            + "when coalesce(detail->>'to', detail->>'state') = 'REAUTH_REQUIRED' or detail->>'kind' = 'INVALID_GRANT' then 'reauth' "
            + "when detail->>'kind' = 'TRANSIENT' then 'transient' else 'other' end as outcome, count(*) "
            + "from audit_event where action in ('GRANT_REFRESHED', 'REFRESH_FAILED') "
            + "and occurred_at >= ? and occurred_at < ? group by 1, 2";

    private final AgroalDataSource dataSource;
    private final Clock clock;

    public ChartQueryService(AgroalDataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public List<ExpiryBucket> expiries() {
        return expiries(clock.instant());
    }

    /** 24 buckets of one hour each, the first starting at {@code now} (tokens already expired are not counted). */
    public List<ExpiryBucket> expiries(Instant now) {
        long[][] n = new long[HOURS][2];
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(EXPIRIES_SQL)) {
            Timestamp from = Timestamp.from(now);
            ps.setTimestamp(1, from);
            ps.setTimestamp(2, from);
            ps.setTimestamp(3, Timestamp.from(now.plus(Duration.ofHours(HOURS))));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int b = rs.getInt(1);
                    if (b >= 0 && b < HOURS) {
                        n[b]["ACTIVE".equals(rs.getString(2)) ? 0 : 1] += rs.getLong(3);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the access-token expiries", e);
        }
        List<ExpiryBucket> out = new ArrayList<>(HOURS);
        for (int i = 0; i < HOURS; i++) {
            out.add(new ExpiryBucket(now.plus(Duration.ofHours(i)), n[i][0], n[i][1]));
        }
        return out;
    }

    public List<OutcomeBucket> outcomes() {
        return outcomes(clock.instant());
    }

    /** 24 clock hours (UTC), the last one the hour {@code now} is in. */
    public List<OutcomeBucket> outcomes(Instant now) {
        Instant start = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(HOURS - 1));
        long[][] n = new long[HOURS][4];
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(OUTCOMES_SQL)) {
            Timestamp from = Timestamp.from(start);
            ps.setTimestamp(1, from);
            ps.setTimestamp(2, from);
            ps.setTimestamp(3, Timestamp.from(start.plus(Duration.ofHours(HOURS))));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int b = rs.getInt(1);
                    if (b < 0 || b >= HOURS) {
                        continue;
                    }
                    int k = switch (rs.getString(2)) {
                        case "success" -> 0;
                        case "transient" -> 1;
                        case "reauth" -> 2;
                        default -> 3;
                    };
                    n[b][k] += rs.getLong(3);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the refresh outcomes", e);
        }
        List<OutcomeBucket> out = new ArrayList<>(HOURS);
        for (int i = 0; i < HOURS; i++) {
            out.add(new OutcomeBucket(start.plus(Duration.ofHours(i)), n[i][0], n[i][1], n[i][2], n[i][3]));
        }
        return out;
    }
}
