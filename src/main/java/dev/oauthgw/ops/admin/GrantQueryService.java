package dev.oauthgw.ops.admin;

import dev.oauthgw.ops.OpsConfig;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.oauthgw.common.GatewayException;
import dev.oauthgw.grant.GrantState;
import dev.oauthgw.grant.GrantStatistics;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Read side of the dashboard and the admin API's grant listing: counts, the grants table (soonest expiry
 * first, keyset pagination on {@code (coalesce(access_expires_at, infinity), id)}, index-backed by V4), and a
 * grant's detail with its history from the audit. Read-only SQL; never a token.
 */
@ApplicationScoped
public class GrantQueryService {

    public static final int MAX_PAGE = 200;
    private static final String EXPIRY_KEY = "coalesce(g.access_expires_at, 'infinity'::timestamptz)";

    /** The grants table's filters. */
    public enum Filter {
        ALL, EXPIRING, FAILING, REAUTH, REVOKED;

        public static Filter parse(String s) {
            if (s == null || s.isBlank()) {
                return ALL;
            }
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw GatewayException.badRequest("filter must be one of all, expiring, failing, reauth, revoked.");
            }
        }

        public String param() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the table is asked for. {@code within} applies to {@link Filter#EXPIRING}. */
    public record Query(Filter filter, Duration within, String search, String after, int size) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GrantRow(String partnerId, String displayName, GrantState state, Instant stateSince,
            Instant accessExpiresAt, Instant lastRefreshAt, String lastRefreshOutcome, int refreshFailures,
            String lastError) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GrantPage(List<GrantRow> content, String nextCursor, int size) {
        public boolean hasNext() {
            return nextCursor != null;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    /** {@code keyUnavailable}: grants whose refresh token the keyring cannot decrypt (a key incident). */
    public record Counts(long active, long expiringSoon, long refreshFailing, long reauthRequired, long revoked,
            long pending, long total, long keyUnavailable) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record HistoryEntry(Instant at, String actor, String action, String from, String to, String summary) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    /**
     * A caller that was handed the partner's tokens within the readers window: serves of those tokens, how many
     * distinct tokens, the last serve, and whether it holds the token the grant holds now (ADR 0015).
     */
    public record Reader(String caller, long reads, long tokens, Instant lastRead, boolean holdsCurrentToken) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GrantDetail(String partnerId, String displayName, String providerAccountId, String registration,
            GrantState state, Instant stateSince, String scope, String providerSubject, Instant accessExpiresAt,
            Instant refreshExpiresAt, Instant consentBy, Instant refreshDueAt, Instant lastRefreshAt,
            String lastRefreshOutcome, String lastError, int refreshFailures, Instant lastConsentAt,
            Instant createdAt, boolean hasTokens, List<HistoryEntry> history, List<HistoryEntry> failures,
            List<Reader> readers, String consentedAccountId, String consentedAccountName) {
        /** Whether the grant waits for an operator to confirm the account of its consent (ADR 0010). */
        public boolean pending() {
            return state == GrantState.PENDING;
        }

        public boolean refreshable() {
            return hasTokens && state.refreshable();
        }

        public boolean connected() {
            return hasTokens;
        }
    }

    private final AgroalDataSource dataSource;
    private final GrantStatistics statistics;
    private final OpsConfig config;
    private final Clock clock;
    private final ObjectMapper json;

    public GrantQueryService(AgroalDataSource dataSource, GrantStatistics statistics, OpsConfig config, Clock clock,
            ObjectMapper json) {
        this.dataSource = dataSource;
        this.statistics = statistics;
        this.config = config;
        this.clock = clock;
        this.json = json;
    }

    public Duration expiringSoonWithin() {
        return config.expiringSoonWithin();
    }

    public Counts counts() {
        GrantStatistics.Counts c;
        try {
            c = statistics.counts(clock.instant().plus(config.expiringSoonWithin()));
        } catch (SQLException e) {
            throw new IllegalStateException("Could not count grants", e);
        }
        return new Counts(c.count(GrantState.ACTIVE), c.expiringSoon(), c.count(GrantState.REFRESH_FAILING),
                c.count(GrantState.REAUTH_REQUIRED), c.count(GrantState.REVOKED), c.count(GrantState.PENDING),
                c.total(), c.keyUnavailable());
    }

    /** One page of grants, soonest access-token expiry first (grants without one last). */
    public GrantPage list(Query q) {
        int size = Math.max(1, Math.min(MAX_PAGE, q.size()));
        StringBuilder sql = new StringBuilder("select g.partner_id, p.display_name, g.state, g.state_since, "
                + "g.access_expires_at, g.last_refresh_at, g.last_refresh_outcome, g.refresh_failures, g.last_error, "
                + "g.id, " + EXPIRY_KEY + " = 'infinity'::timestamptz as no_expiry "
                + "from partner_grant g join partner p on p.id = g.partner_id where true");
        List<Object> args = new ArrayList<>();
        switch (q.filter()) {
            case EXPIRING -> {
                sql.append(" and g.state in (" + GrantState.REFRESHABLE_SQL + ") and ").append(EXPIRY_KEY).append(" <= ?");
                Duration within = q.within() == null ? config.expiringSoonWithin() : q.within();
                args.add(Timestamp.from(clock.instant().plus(within)));
            }
            case FAILING -> sql.append(" and g.state = 'REFRESH_FAILING'");
            case REAUTH -> sql.append(" and g.state = 'REAUTH_REQUIRED'");
            case REVOKED -> sql.append(" and g.state = 'REVOKED'");
            case ALL -> {
            }
        }
        String search = q.search() == null ? "" : q.search().strip();
        if (!search.isEmpty()) {
            sql.append(" and (p.id like ? escape '\\' or lower(p.display_name) like ? escape '\\')");
            args.add(likePrefix(search));
            args.add(likePrefix(search.toLowerCase(Locale.ROOT)));
        }
        Optional<Cursor> after = Cursor.decode(q.after());
        if (after.isPresent()) {
            sql.append(" and (").append(EXPIRY_KEY).append(", g.id) > (cast(? as timestamptz), ?)");
            args.add(after.get().expiry());
            args.add(after.get().id());
        }
        sql.append(" order by ").append(EXPIRY_KEY).append(", g.id limit ?");
        args.add(size + 1);
        List<GrantRow> rows = new ArrayList<>();
        String next = null;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            // planned with its values every time: a cached generic plan cannot use the prefix indexes for
            // "like ?" and would walk the whole table
            ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                Cursor last = null;
                while (rs.next()) {
                    if (rows.size() == size) {
                        next = last.encode();
                        break;
                    }
                    rows.add(row(rs));
                    Timestamp exp = rs.getTimestamp(5);
                    last = new Cursor(rs.getBoolean(11) || exp == null ? "infinity" : exp.toInstant().toString(),
                            rs.getObject(10, UUID.class));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not list grants", e);
        }
        return new GrantPage(rows, next, size);
    }

    /** The grants that failed most recently (refresh failing or re-authorization required). */
    public List<GrantRow> recentFailures(int limit) {
        String sql = "select g.partner_id, p.display_name, g.state, g.state_since, g.access_expires_at, "
                + "g.last_refresh_at, g.last_refresh_outcome, g.refresh_failures, g.last_error "
                + "from partner_grant g join partner p on p.id = g.partner_id "
                + "where g.state in ('REFRESH_FAILING', 'REAUTH_REQUIRED') "
                + "order by g.state_since desc limit ?";
        List<GrantRow> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not list failures", e);
        }
        return rows;
    }

    public Optional<GrantDetail> detail(String partnerId) {
        String sql = "select g.partner_id, p.display_name, p.provider_account_id, g.registration, g.state, g.state_since, "
                + "g.scope, g.provider_subject, g.access_expires_at, g.refresh_expires_at, g.refresh_due_at, "
                + "g.last_refresh_at, g.last_refresh_outcome, g.last_error, g.refresh_failures, g.created_at, "
                + "g.refresh_token is not null or g.access_token is not null, "
                + "g.provider_account_id, g.provider_account_name "
                + "from partner_grant g join partner p on p.id = g.partner_id where g.partner_id = ?";
        try (Connection c = dataSource.getConnection()) {
            GrantDetail d;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, partnerId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    List<HistoryEntry> history = history(c, partnerId);
                    Instant lastConsent = history.stream()
                            .filter(h -> h.action().equals("GRANT_CREATED") || h.action().equals("GRANT_REPLACED"))
                            .map(HistoryEntry::at).findFirst().orElse(instant(rs, 16));
                    Instant refreshExpires = instant(rs, 10);
                    Instant consentBy = refreshExpires;
                    if (config.consentLifetime().isPresent() && lastConsent != null) {
                        Instant bound = lastConsent.plus(config.consentLifetime().get());
                        consentBy = consentBy == null || bound.isBefore(consentBy) ? bound : consentBy;
                    }
                    List<HistoryEntry> failures = failures(c, partnerId);
                    d = new GrantDetail(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            GrantState.valueOf(rs.getString(5)), instant(rs, 6), rs.getString(7), rs.getString(8),
                            instant(rs, 9), refreshExpires, consentBy, instant(rs, 11), instant(rs, 12), rs.getString(13),
                            rs.getString(14), rs.getInt(15), lastConsent, instant(rs, 16), rs.getBoolean(17),
                            history, failures, readers(c, partnerId, rs.getBoolean(17) ? instant(rs, 9) : null),
                            rs.getString(18), rs.getString(19));
                }
            }
            return Optional.of(d);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the grant of " + partnerId, e);
        }
    }

    private List<HistoryEntry> history(Connection c, String partnerId) throws SQLException {
        List<HistoryEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select occurred_at, actor, action, detail::text from audit_event "
                + "where partner_id = ? and (action in ('GRANT_CREATED', 'GRANT_REPLACED', 'GRANT_STATE_CHANGED', "
                + "'GRANT_REFRESH_FORCED', 'GRANT_DISCONNECTED', 'LINK_CREATED', 'REFRESH_ANSWER_LOST', "
                + "'GRANT_AWAITING_CONFIRMATION', 'GRANT_CONFIRMED', 'GRANT_REJECTED', 'LINK_REVOKED') "
                // refreshes and failed attempts belong to the history when they changed the state
                + "or (action in ('GRANT_REFRESHED', 'REFRESH_FAILED') and detail->>'from' <> detail->>'to')) "
                + "order by occurred_at desc, id desc limit 100")) {
            ps.setString(1, partnerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(entry(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    /** Every failed refresh attempt (scheduled, inline or forced), lost answers and failed revocations; newest first. */
    private List<HistoryEntry> failures(Connection c, String partnerId) throws SQLException {
        List<HistoryEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select occurred_at, actor, action, detail::text from audit_event "
                + "where partner_id = ? and action in ('REFRESH_FAILED', 'REFRESH_ANSWER_LOST', 'GRANT_DISCONNECTED') "
                + "order by occurred_at desc, id desc limit 50")) {
            ps.setString(1, partnerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    HistoryEntry e = entry(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3), rs.getString(4));
                    if (isFailure(e)) {
                        out.add(e);
                    }
                }
            }
        }
        return out;
    }

    private HistoryEntry entry(Instant at, String actor, String action, String detailJson) {
        JsonNode d = null;
        try {
            d = detailJson == null ? null : json.readTree(detailJson);
        } catch (Exception e) {
            // an unreadable detail is shown without its summary
        }
        String from = text(d, "from");
        String to = text(d, "to");
        String summary;
        switch (action) {
            case "GRANT_CREATED" -> {
                to = "ACTIVE";
                summary = "connected (partner consented)";
            }
            case "GRANT_REPLACED" -> {
                to = "ACTIVE";
                summary = "re-authorized (partner consented again)";
            }
            case "GRANT_STATE_CHANGED" -> summary = Optional.ofNullable(text(d, "reason")).orElse("");
            case "GRANT_REFRESH_FORCED" -> summary = "forced refresh: " + Optional.ofNullable(text(d, "outcome")).orElse("?")
                    + (text(d, "reason") == null ? "" : " (" + text(d, "reason") + ")");
            case "GRANT_DISCONNECTED" -> summary = "disconnected; revocation at the provider: "
                    + Optional.ofNullable(text(d, "revocation")).orElse("?")
                    + (text(d, "revocation_error") == null ? "" : " (" + text(d, "revocation_error") + ")");
            case "GRANT_REFRESHED" -> summary = Optional.ofNullable(text(d, "reason")).orElse("refreshed");
            case "REFRESH_FAILED" -> {
                to = Optional.ofNullable(to).orElse(text(d, "state")); // records written before ADR 0009 carry only the state
                summary = Optional.ofNullable(text(d, "kind")).orElse("?").toLowerCase(Locale.ROOT) + ": "
                        + Optional.ofNullable(text(d, "error")).orElse("") + " (" + Optional.ofNullable(text(d, "trigger"))
                                .orElse("?").toLowerCase(Locale.ROOT) + " refresh, failures in a row: "
                        + Optional.ofNullable(text(d, "failures_in_a_row")).orElse("?")
                        + (text(d, "next_attempt_at") == null ? "" : ", next attempt " + text(d, "next_attempt_at")) + ")";
            }
            case "REFRESH_ANSWER_LOST" -> {
                to = Optional.ofNullable(to).orElse("REFRESH_FAILING");
                summary = "the refresh started " + Optional.ofNullable(text(d, "started_at")).orElse("?")
                        + " ended without storing the provider's answer (the refresh token may have rotated)";
            }
            case "LINK_CREATED" -> summary = Optional.ofNullable(text(d, "purpose")).orElse("").toLowerCase(Locale.ROOT)
                    + " link created, expires " + Optional.ofNullable(text(d, "expires_at")).orElse("?");
            case "GRANT_AWAITING_CONFIRMATION", "GRANT_CONFIRMED" -> summary = Optional.ofNullable(text(d, "reason"))
                    .orElse("") + " (account " + Optional.ofNullable(text(d, "provider_account_id")).orElse("unknown")
                    + Optional.ofNullable(text(d, "provider_account_name")).map(n -> ", " + n).orElse("") + ")";
            case "GRANT_REJECTED" -> summary = "account " + Optional.ofNullable(text(d, "provider_account_id"))
                    .orElse("unknown") + " rejected; revocation at the provider: "
                    + Optional.ofNullable(text(d, "revocation")).orElse("?");
            case "LINK_REVOKED" -> summary = Optional.ofNullable(text(d, "purpose")).orElse("").toLowerCase(Locale.ROOT)
                    + " link " + Optional.ofNullable(text(d, "link_id")).orElse("?") + " revoked: "
                    + Optional.ofNullable(text(d, "reason")).orElse("");
            default -> summary = "";
        }
        return new HistoryEntry(at, actor, action, from, to, summary);
    }

    private static boolean isFailure(HistoryEntry h) {
        return "REFRESH_FAILED".equals(h.action()) || "REFRESH_ANSWER_LOST".equals(h.action())
                || ("GRANT_DISCONNECTED".equals(h.action()) && h.summary().contains("failed"));
    }

    /**
     * Who was handed this partner's tokens within the readers window: the token access rows (one per caller and
     * token, ADR 0015) whose last serve is in the window, and the per-request TOKEN_SERVED records written before
     * V12 (still read, so history from before the upgrade and from replicas of the previous version is not lost).
     */
    private List<Reader> readers(Connection c, String partnerId, Instant currentTokenExpiresAt) throws SQLException {
        List<Reader> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select caller, sum(n), count(distinct tok), max(last_at), "
                + "coalesce(bool_or(tok = ?), false) from ("
                + "select caller, served_count as n, token_expires_at as tok, last_served_at as last_at from token_access "
                + "where kind = 'partner' and subject = ? and last_served_at > ? "
                + "union all "
                + "select actor, 1, case when detail ->> 'token_expires_at' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "
                + "then (detail ->> 'token_expires_at')::timestamptz end, occurred_at from audit_event "
                + "where partner_id = ? and action = 'TOKEN_SERVED' and occurred_at > ?"
                + ") r group by caller order by max(last_at) desc, caller limit 20")) {
            Timestamp since = Timestamp.from(clock.instant().minus(config.readersWindow()));
            if (currentTokenExpiresAt == null) {
                ps.setNull(1, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
            } else {
                ps.setTimestamp(1, Timestamp.from(currentTokenExpiresAt));
            }
            ps.setString(2, partnerId);
            ps.setTimestamp(3, since);
            ps.setString(4, partnerId);
            ps.setTimestamp(5, since);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Reader(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getTimestamp(4).toInstant(),
                            rs.getBoolean(5)));
                }
            }
        }
        return out;
    }

    private static GrantRow row(ResultSet rs) throws SQLException {
        return new GrantRow(rs.getString(1), rs.getString(2), GrantState.valueOf(rs.getString(3)), instant(rs, 4),
                instant(rs, 5), instant(rs, 6), rs.getString(7), rs.getInt(8), rs.getString(9));
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }

    static String likePrefix(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** Where a page ends: the expiry key ({@code infinity} or an ISO instant) and the grant id. Opaque to clients. */
    record Cursor(String expiry, UUID id) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((expiry + "|" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Optional<Cursor> decode(String s) {
            if (s == null || s.isBlank()) {
                return Optional.empty();
            }
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(s.strip()), StandardCharsets.UTF_8).split("\\|");
                if (parts.length != 2) {
                    throw new IllegalArgumentException();
                }
                String expiry = "infinity".equals(parts[0]) ? parts[0] : Instant.parse(parts[0]).toString();
                return Optional.of(new Cursor(expiry, UUID.fromString(parts[1])));
            } catch (RuntimeException e) {
                throw GatewayException.badRequest("after is not a cursor this gateway handed out.");
            }
        }
    }
}
