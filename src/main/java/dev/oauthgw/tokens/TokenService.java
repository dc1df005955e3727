package dev.oauthgw.tokens;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.oauthgw.audit.RequestIds;
import dev.oauthgw.audit.TokenAccessRecorder;
import dev.oauthgw.common.GatewayException;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.grant.GrantLocking;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.grant.GrantState;
import dev.oauthgw.refresh.GrantRefresher;
import dev.oauthgw.refresh.GrantSnapshot;
import dev.oauthgw.provider.ProviderException;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Hands out a partner's access token that stays valid for at least the caller's minimum. The hot path is a
 * {@link TokenCache} hit and one decryption, without blocking ({@link #cached}); otherwise one indexed read (which
 * fills the cache) and one decryption ({@link #tokenFor}); a token too close to expiry is refreshed inline through
 * {@link GrantRefresher} (single flight per grant across the cluster). Both paths decide alike: a cached entry is
 * what the database held, and every committed change evicts it (docs/adr/0014-sealed-token-cache.md).
 */
@ApplicationScoped
public class TokenService {

    private static final String READ = "select g.id, g.state, g.state_since, g.access_token, g.access_token_key_id, "
            + "g.access_expires_at, g.scope, g.access_lifetime_seconds, g.version from partner_grant g "
            + "where g.partner_id = ?";

    /**
     * A token to hand out. {@link #toString()} hides it.
     *
     * @param minValidReducedTo set when the default minimum validity was more than the provider's tokens live, and
     *                          this smaller minimum was applied instead
     */
    public record Served(String partnerId, String accessToken, Instant expiresAt, String scope,
            Duration minValidReducedTo) {
        @Override
        public String toString() {
            return "Served[" + partnerId + ", expiresAt=" + expiresAt + "]";
        }
    }

    private final AgroalDataSource dataSource;
    private final TokenCipher cipher;
    private final GrantRefresher refresher;
    private final TokenAccessRecorder recorder;
    private final TokensConfig config;
    private final Clock clock;
    private final TokenCache cache;

    public TokenService(AgroalDataSource dataSource, TokenCipher cipher, GrantRefresher refresher,
            TokenAccessRecorder recorder, TokensConfig config, Clock clock, TokenCache cache) {
        this.dataSource = dataSource;
        this.cache = cache;
        this.cipher = cipher;
        this.refresher = refresher;
        this.recorder = recorder;
        this.config = config;
        this.clock = clock;
    }

    /** The caller's minimum validity: the default, or what it asked for within the cap. */
    public Duration minValidity(Optional<Duration> asked) {
        return minValidity(asked, config.minValidity(), config.maxMinValidity());
    }

    /** The same with the default and the cap given: 400 when the asked minimum is negative or above the cap. */
    static Duration minValidity(Optional<Duration> asked, Duration byDefault, Duration max) {
        Duration d = asked.orElse(byDefault);
        if (d.isNegative() || d.compareTo(max) > 0) {
            throw GatewayException.badRequest("min_valid must be between PT0S and " + max + ".");
        }
        return d;
    }

    /** What the caller's minimum comes to for one grant: the minimum applied, and whether it was lowered. */
    private record Minimum(Duration minValid, Duration reducedTo) {
    }

    /**
     * The partner's token from this replica's cache, without blocking: for the event loop. Empty when the cache
     * holds no entry (or is not serving), or when the cached token is not valid for the minimum: then
     * {@link #tokenFor} (on a worker) reads the database and refreshes as needed. Answers from a cached entry
     * (the token, a 409 for its state, a 400 for a minimum above what the provider gives) are those
     * {@link #tokenFor} gives for the same row.
     */
    public Optional<Served> cached(String partnerId, Optional<Duration> asked, String caller, String requestId) {
        return cached(partnerId, asked, caller, requestId, true);
    }

    /**
     * The partner's token for a call the gateway makes with it itself (the API proxy): the default minimum, from
     * this replica's cache when it can, else as {@link #tokenFor}; not recorded as a token handed out, since it
     * never leaves the gateway (the proxy audits its own calls). Blocking.
     */
    public Served forGatewayCall(String partnerId) {
        return cached(partnerId, Optional.empty(), null, null, false)
                .orElseGet(() -> tokenFor(partnerId, Optional.empty(), null, null, false));
    }

    private Optional<Served> cached(String partnerId, Optional<Duration> asked, String caller, String requestId,
            boolean handedOut) {
        Duration minValid = minValidity(asked);
        Optional<CachedGrant> hit = cache.get(partnerId);
        if (hit.isEmpty()) {
            return Optional.empty();
        }
        CachedGrant g = hit.get();
        checkState(partnerId, g.state(), g.stateSince(), g.accessToken() != null);
        Minimum m = minimum(g.accessLifetime(), minValid, asked);
        if (validFor(g.accessExpiresAt()).compareTo(m.minValid()) < 0) {
            return Optional.empty(); // the refresh path, on a worker
        }
        // counted in memory, or not served here: recording it would block (the audit's pending keys are full)
        if (handedOut && !recorder.tryRecord(access(partnerId, g.grantId(), g.accessExpiresAt(), caller, requestId))) {
            return Optional.empty();
        }
        String token = cipher.open(g.accessToken(), GrantService.accessAd(g.grantId()));
        return Optional.of(new Served(partnerId, token, g.accessExpiresAt(), g.scope(), m.reducedTo()));
    }

    /**
     * The partner's token, valid for at least the caller's minimum ({@code asked}, else the default). A minimum
     * above what the provider's tokens can give (their observed lifetime less a margin) is a 400 that says the
     * most that can be served; the default is lowered to that, and {@link Served#minValidReducedTo()} says so.
     * Blocking: reads the database (and stores what it read in the cache), may refresh.
     */
    public Served tokenFor(String partnerId, Optional<Duration> asked, String caller) {
        return tokenFor(partnerId, asked, caller, RequestIds.current());
    }

    /** As {@link #tokenFor(String, Optional, String)}, with the request id taken where the request runs. */
    public Served tokenFor(String partnerId, Optional<Duration> asked, String caller, String requestId) {
        return tokenFor(partnerId, asked, caller, requestId, true);
    }

    private Served tokenFor(String partnerId, Optional<Duration> asked, String caller, String requestId,
            boolean handedOut) {
        Duration minValid = minValidity(asked);
        CachedGrant g = load(partnerId).orElseThrow(() -> noGrant(partnerId));
        checkState(partnerId, g.state(), g.stateSince(), g.accessToken() != null);
        Minimum m = minimum(g.accessLifetime(), minValid, asked);
        GrantSnapshot s = open(g);
        if (validFor(s.accessExpiresAt()).compareTo(m.minValid()) < 0) {
            s = refreshInline(s, m.minValid(), m.reducedTo() == null);
        }
        if (handedOut) {
            recorder.record(access(partnerId, s.grantId(), s.accessExpiresAt(), caller, requestId));
        }
        return new Served(partnerId, s.accessToken(), s.accessExpiresAt(), s.scope(), m.reducedTo());
    }

    private TokenAccessRecorder.Access access(String partnerId, UUID grantId, Instant expiresAt, String caller,
            String requestId) {
        return new TokenAccessRecorder.Access(clock.instant(), caller, partnerId, grantId, requestId, expiresAt,
                "partner");
    }

    /** The minimum to apply, lowered to what the provider's tokens give unless the caller asked for it (400). */
    private static Minimum minimum(Optional<Duration> lifetime, Duration minValid, Optional<Duration> asked) {
        Optional<Duration> servable = lifetime.map(TokenService::servable);
        if (servable.isPresent() && minValid.compareTo(servable.get()) > 0) {
            if (asked.isPresent()) {
                throw GatewayException.badRequest("min_valid " + minValid + " is more than this partner's tokens can "
                        + "give: the provider's tokens live " + lifetime.get() + ", so the most that can be "
                        + "served is " + servable.get() + ".").with("max_min_valid", servable.get().toString());
            }
            return new Minimum(servable.get(), servable.get());
        }
        return new Minimum(minValid, null);
    }

    /**
     * The most validity a token of this lifetime can be asked for: the lifetime less a margin for the round trip
     * and clock skew (a tenth of it, at most five minutes).
     */
    static Duration servable(Duration lifetime) {
        Duration margin = Duration.ofSeconds(Math.max(1, lifetime.toSeconds() / 10));
        if (margin.compareTo(Duration.ofMinutes(5)) > 0) {
            margin = Duration.ofMinutes(5);
        }
        return lifetime.minus(margin);
    }

    /**
     * @param strict whether the minimum is a promise (asked for, or the configured default); when the default was
     *               lowered to what the provider gives, the freshest token still valid is served instead of a 503
     */
    private GrantSnapshot refreshInline(GrantSnapshot stored, Duration minValid, boolean strict) {
        GrantRefresher.Outcome o;
        try {
            o = refresher.ensureValid(stored.grantId(), minValid, config.lockWait());
        } catch (GrantLocking.Busy e) {
            throw unavailable(stored, e.getMessage(), config.retryAfter());
        }
        GrantSnapshot now = o.snapshot();
        if (o.held() == GrantRefresher.Held.KEY_UNAVAILABLE) {
            throw unavailable(now, "The gateway cannot decrypt this grant's tokens with its keys; operators are alerted.",
                    config.retryAfter());
        }
        checkState(now.partnerId(), now.state(), now.stateSince(), now.accessToken() != null);
        if (validFor(now).compareTo(minValid) >= 0 || (!strict && validFor(now).compareTo(Duration.ZERO) > 0)) {
            return now;
        }
        ProviderException f = o.failure();
        switch (o.held()) {
            case BACKOFF -> throw unavailable(now, "Refreshing this grant failed recently; the gateway retries at "
                    + o.backoffUntil() + ".", Duration.between(clock.instant(), o.backoffUntil()));
            case BUDGET -> throw unavailable(now, "The provider's rate budget for this minute is spent.",
                    Duration.between(clock.instant(), o.backoffUntil()));
            case COOLDOWN -> throw unavailable(now, "This grant was refreshed moments ago; it is not refreshed again "
                    + "before " + o.backoffUntil() + ".", Duration.between(clock.instant(), o.backoffUntil()));
            case INCIDENT -> throw unavailable(now,
                    "The provider rejects the gateway's client credentials; operators are alerted.", config.retryAfter());
            case NO -> {
            }
        }
        if (f != null && f.kind() == ProviderException.Kind.CLIENT_REJECTED) {
            throw unavailable(now, "The provider rejects the gateway's client credentials; operators are alerted.",
                    config.retryAfter());
        }
        throw unavailable(now, f == null ? "The grant could not be refreshed." : "The provider could not refresh the grant ("
                + f.kind().name().toLowerCase() + ").", f == null ? config.retryAfter() : f.retryAfter().orElse(config.retryAfter()));
    }

    private GatewayException unavailable(GrantSnapshot s, String why, Duration retryAfter) {
        GatewayException e = GatewayException.unavailable(why
                + " No stored token is valid for the minimum asked; retry later, or ask with a smaller min_valid.",
                retryAfter);
        if (s.accessExpiresAt() != null && s.accessExpiresAt().isAfter(clock.instant())) {
            e = e.with("stored_token_expires_at", s.accessExpiresAt().toString());
        }
        return e;
    }

    private static void checkState(String partnerId, GrantState state, Instant stateSince, boolean hasToken) {
        if (state == GrantState.PENDING) {
            // binding confirm-first (ADR 0010): the tokens are stored, but whose they are is not confirmed yet
            throw GatewayException.conflict("confirmation-pending", "Waiting for an operator's confirmation",
                    "The grant of partner '" + partnerId + "' is PENDING since " + stateSince
                            + ": an operator must confirm the partner's Pax8 account before its tokens are served.",
                    Map.of("partner_id", partnerId, "grant_state", state.name(),
                            "state_since", stateSince.toString()));
        }
        if (state == GrantState.REAUTH_REQUIRED || state == GrantState.REVOKED
                || state == GrantState.PENDING || !hasToken) {
            Map<String, Object> ext = new LinkedHashMap<>();
            ext.put("partner_id", partnerId);
            ext.put("grant_state", state.name());
            ext.put("state_since", stateSince.toString());
            throw GatewayException.conflict("reauthorization-required", "Re-authorization required",
                    "The grant of partner '" + partnerId + "' is " + state + " since " + stateSince
                            + ": the partner must connect again through a new onboarding link.",
                    ext);
        }
    }

    private GatewayException noGrant(String partnerId) {
        boolean known = exists(partnerId);
        return GatewayException.notFound(known ? "Partner '" + partnerId + "' has not connected a grant yet."
                : "No partner with id '" + partnerId + "'.");
    }

    private Duration validFor(GrantSnapshot s) {
        return validFor(s.accessExpiresAt());
    }

    private Duration validFor(Instant expiresAt) {
        return expiresAt == null ? Duration.ZERO : Duration.between(clock.instant(), expiresAt);
    }

    private GrantSnapshot open(CachedGrant g) {
        String token = g.accessToken() == null ? null
                : cipher.open(g.accessToken(), GrantService.accessAd(g.grantId()));
        return new GrantSnapshot(g.grantId(), g.partnerId(), g.state(), g.stateSince(), token, g.accessExpiresAt(),
                g.scope(), g.accessLifetimeSeconds());
    }

    /** Reads the partner's grant from the database and stores it in the cache, unless a change raced the read. */
    private Optional<CachedGrant> load(String partnerId) {
        TokenCache.Ticket ticket = cache.ticket(partnerId); // before the read: see TokenCache
        Optional<CachedGrant> g = read(partnerId);
        g.ifPresent(read -> cache.put(ticket, read));
        return g;
    }

    private Optional<CachedGrant> read(String partnerId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setString(1, partnerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                UUID id = rs.getObject(1, UUID.class);
                byte[] ct = rs.getBytes(4);
                Sealed sealed = ct == null ? null : new Sealed(ct, rs.getInt(5));
                Timestamp exp = rs.getTimestamp(6);
                long lifetime = rs.getLong(8);
                Long lifetimeSeconds = rs.wasNull() ? null : lifetime;
                return Optional.of(new CachedGrant(id, partnerId, GrantState.valueOf(rs.getString(2)),
                        rs.getTimestamp(3).toInstant(), sealed, exp == null ? null : exp.toInstant(), rs.getString(7),
                        lifetimeSeconds, rs.getLong(9)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the grant of partner " + partnerId, e);
        }
    }

    private boolean exists(String partnerId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select 1 from partner where id = ?")) {
            ps.setString(1, partnerId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not look up partner " + partnerId, e);
        }
    }
}
