package dev.oauthgw.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.arc.profile.IfBuildProfile;

/**
 * The in-memory authorization server behind the sandbox endpoints: registered clients, sandbox partners,
 * consent requests, authorization codes, refresh-token families and access tokens, plus the counters.
 * <p>
 * Concurrency: every read and change of the grant state happens under one lock, so a refresh token is
 * rotated exactly once however many requests present it at the same moment. Nothing slow happens under
 * the lock (injected delays are slept by the resource before it calls in here).
 * <p>
 * Tokens, codes and refresh tokens are stored by their SHA-256 hash, never by value, and never logged.
 * Time comes from a replaceable {@link Clock} ({@link #advanceClock(Duration)}, {@link #useClock(Clock)}).
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxState {

    public static final String AUDIENCE_PARTNER_API = "https://api.pax8.com";
    public static final String AUDIENCE_PROVISIONING = "api://provisioning";
    public static final String AUDIENCE_USAGE = "api://usage";
    /** The audiences the sandbox knows, with the scope a client_credentials token gets for each. */
    static final Map<String, String> CLIENT_CREDENTIALS_SCOPES = Map.of(
            AUDIENCE_PARTNER_API, "Manage:Pax8Data",
            AUDIENCE_PROVISIONING, "vendorSimulation:provisioning",
            AUDIENCE_USAGE, "vendorSimulation:usage");
    static final String OFFLINE_ACCESS = "offline_access";
    /** Auth0's description for every dead refresh token, whatever the reason. */
    static final String UNKNOWN_REFRESH_TOKEN = "Unknown or invalid refresh token.";
    static final String INVALID_CODE = "Invalid authorization code";
    static final String PARTNER_ID_CLAIM = "https://pax8.com/partner_id";

    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
    private static final int PRUNE_THRESHOLD = 1_000;

    @Inject
    SandboxConfig config;

    @Inject
    SandboxFaults faults;

    private final SandboxCounters counters = new SandboxCounters();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Clock clock = Clock.systemUTC();
    /** Runtime override of {@link SandboxConfig#reuseInterval()} for tests; null: the configured value. */
    private volatile Duration reuseIntervalOverride;
    private volatile Duration tokenLifetimeOverride;
    private volatile boolean reportRefreshTokenExpiry;
    private volatile boolean rotateRefreshTokens = true;
    private Map<String, SandboxClient> clients = Map.of();

    // guarded by lock
    private final Map<String, SandboxPartner> partners = new LinkedHashMap<>();
    private final Map<String, Pending> pending = new HashMap<>();
    private final Map<String, Code> codes = new HashMap<>();
    private final Map<String, Family> families = new HashMap<>();
    private final Map<String, RefreshRecord> refreshTokens = new HashMap<>();
    private final Map<String, AccessRecord> accessTokens = new HashMap<>();

    @PostConstruct
    void init() {
        Map<String, SandboxClient> byId = new LinkedHashMap<>();
        new TreeMap<>(config.clients()).forEach((name, c) -> {
            SandboxClient client = new SandboxClient(c.clientId(), c.clientSecret(), c.redirectUris(),
                    SandboxClient.AuthMethod.parse(c.tokenEndpointAuthMethod()), new LinkedHashSet<>(c.grantTypes()),
                    c.displayName().orElse(c.clientId()));
            if (byId.put(client.clientId(), client) != null) {
                throw new IllegalStateException("sandbox.clients: client id used twice: " + client.clientId());
            }
        });
        clients = Collections.unmodifiableMap(byId);
        loadConfiguredPartners();
    }

    private void loadConfiguredPartners() {
        new TreeMap<>(config.partners()).forEach((key, p) -> partners.put(key,
                new SandboxPartner(key, p.name(), p.pax8PartnerId(), p.companies())));
    }

    // --- registry ---------------------------------------------------------------------------------

    public Optional<SandboxClient> client(String clientId) {
        return clientId == null ? Optional.empty() : Optional.ofNullable(clients.get(clientId));
    }

    public List<SandboxPartner> partners() {
        lock.lock();
        try {
            return List.copyOf(partners.values());
        } finally {
            lock.unlock();
        }
    }

    public Optional<SandboxPartner> partner(String key) {
        lock.lock();
        try {
            return Optional.ofNullable(key == null ? null : partners.get(key));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds (or replaces) a sandbox partner at runtime. {@code pax8PartnerId} may be null: a stable UUID is
     * derived from the key.
     */
    public SandboxPartner registerPartner(String key, String name, String pax8PartnerId, int companies) {
        SandboxPartner partner = new SandboxPartner(key, name, pax8PartnerId, companies);
        lock.lock();
        try {
            partners.put(key, partner);
        } finally {
            lock.unlock();
        }
        return partner;
    }

    /** Adds a partner with a derived Pax8 id and 3 companies. */
    public SandboxPartner registerPartner(String key, String name) {
        return registerPartner(key, name, null, 3);
    }

    // --- time and counters ------------------------------------------------------------------------

    public Instant now() {
        return clock.instant();
    }

    /** Moves the sandbox's time forward (codes, tokens and families expire by it). */
    public void advanceClock(Duration by) {
        clock = Clock.offset(clock, by);
    }

    /** Replaces the sandbox's clock, e.g. with {@link Clock#fixed}. */
    public void useClock(Clock clock) {
        this.clock = clock;
    }

    /** Replaces the configured reuse interval until {@link #resetAll()} (null: back to configuration). */
    public void overrideReuseInterval(Duration reuseInterval) {
        this.reuseIntervalOverride = reuseInterval;
    }

    /**
     * Replaces the configured access-token lifetime until {@link #resetAll()} (null: back to configuration),
     * so that tests can run refresh cycles of seconds without a test profile of their own.
     */
    public void overrideTokenLifetime(Duration lifetime) {
        this.tokenLifetimeOverride = lifetime;
    }

    Duration tokenLifetime() {
        Duration d = tokenLifetimeOverride;
        return d != null ? d : config.tokenLifetime();
    }

    /**
     * Switches refresh-token rotation off (an authorization server that keeps one refresh token per grant
     * and sends none on refresh) or back on. On until set, and after {@link #resetAll()}.
     */
    public void rotateRefreshTokens(boolean rotate) {
        this.rotateRefreshTokens = rotate;
    }

    /**
     * Also answer {@code refresh_token_expires_in} (when the family's absolute lifetime ends), as some
     * authorization servers do; Auth0, and so Pax8, do not. Off until set, and after {@link #resetAll()}.
     */
    public void reportRefreshTokenExpiry(boolean report) {
        this.reportRefreshTokenExpiry = report;
    }

    Duration reuseInterval() {
        Duration d = reuseIntervalOverride;
        return d != null ? d : config.reuseInterval();
    }

    public SandboxCounters counters() {
        return counters;
    }

    public SandboxFaults faults() {
        return faults;
    }

    /** Families of this partner that can still refresh: not revoked, not expired, with offline_access. */
    public int liveFamilies(String partnerKey) {
        lock.lock();
        try {
            Instant now = now();
            return (int) families.values().stream()
                    .filter(f -> f.offline && partnerKey.equals(f.partnerKey) && f.isLive(now))
                    .count();
        } finally {
            lock.unlock();
        }
    }

    /** Live families by partner key (partners without any are left out). */
    public Map<String, Integer> liveFamiliesByPartner() {
        lock.lock();
        try {
            Instant now = now();
            Map<String, Integer> out = new TreeMap<>();
            families.values().stream().filter(f -> f.offline && f.partnerKey != null && f.isLive(now))
                    .forEach(f -> out.merge(f.partnerKey, 1, Integer::sum));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** The family a refresh token belongs to (used or not), to look up {@link SandboxCounters#refreshes}. */
    public Optional<String> familyOf(String refreshToken) {
        lock.lock();
        try {
            RefreshRecord r = refreshToken == null ? null : refreshTokens.get(SandboxTokens.hash(refreshToken));
            return Optional.ofNullable(r == null ? null : r.familyId);
        } finally {
            lock.unlock();
        }
    }

    /** Clears counters and fault switches; tokens, families and partners stay. */
    public void reset() {
        counters.reset();
        faults.reset();
    }

    /**
     * Forgets everything: consent requests, codes, families, tokens, partners registered at runtime,
     * counters, switches, and the clock goes back to the system clock.
     */
    public void resetAll() {
        lock.lock();
        try {
            pending.clear();
            codes.clear();
            families.clear();
            refreshTokens.clear();
            accessTokens.clear();
            partners.clear();
            loadConfiguredPartners();
            clock = Clock.systemUTC();
            reuseIntervalOverride = null;
            tokenLifetimeOverride = null;
            reportRefreshTokenExpiry = false;
            rotateRefreshTokens = true;
        } finally {
            lock.unlock();
        }
        reset();
    }

    // --- authorization requests and codes ---------------------------------------------------------

    /** An authorization request that passed validation and waits for the partner admin's decision. */
    public record AuthorizationRequest(String clientId, String redirectUri, String scope, String audience,
            String state, String codeChallenge) {
    }

    /** Keeps the request server-side and answers the opaque id the consent form carries. */
    public String startAuthorization(AuthorizationRequest request) {
        String id = SandboxTokens.random(24);
        lock.lock();
        try {
            prune();
            pending.put(id, new Pending(request, now().plus(config.consentLifetime())));
        } finally {
            lock.unlock();
        }
        return id;
    }

    /** Looks at a waiting request without using it up (to render the consent page again). */
    public Optional<AuthorizationRequest> pendingRequest(String requestId) {
        lock.lock();
        try {
            Pending p = requestId == null ? null : pending.get(requestId);
            return p == null || !now().isBefore(p.expiresAt) ? Optional.empty() : Optional.of(p.request);
        } finally {
            lock.unlock();
        }
    }

    /** Uses up a waiting request: a second decision on the same page finds nothing. */
    public Optional<AuthorizationRequest> takePendingRequest(String requestId) {
        lock.lock();
        try {
            Pending p = requestId == null ? null : pending.remove(requestId);
            return p == null || !now().isBefore(p.expiresAt) ? Optional.empty() : Optional.of(p.request);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Issues an authorization code as if the partner admin of {@code partnerKey} had clicked Allow: the
     * programmatic consent for tests. The same checks as the authorize endpoint apply to client, redirect
     * URI and partner; {@code codeChallenge} (S256) may be null.
     *
     * @throws IllegalArgumentException when the client, redirect URI or partner is unknown
     */
    public String issueCode(String clientId, String redirectUri, String partnerKey, String scope, String audience,
            String codeChallenge) {
        SandboxClient client = client(clientId)
                .orElseThrow(() -> new IllegalArgumentException("unknown sandbox client"));
        if (!client.hasRedirectUri(redirectUri)) {
            throw new IllegalArgumentException("redirect_uri is not registered for this client");
        }
        String code = SandboxTokens.random(32);
        lock.lock();
        try {
            if (!partners.containsKey(partnerKey)) {
                throw new IllegalArgumentException("unknown sandbox partner: " + partnerKey);
            }
            prune();
            codes.put(SandboxTokens.hash(code), new Code(clientId, redirectUri, partnerKey, normalizeScope(scope),
                    audience == null ? AUDIENCE_PARTNER_API : audience, codeChallenge,
                    now().plus(config.codeLifetime())));
        } finally {
            lock.unlock();
        }
        counters.codeIssued();
        return code;
    }

    // --- grants -----------------------------------------------------------------------------------

    /** The answer of a successful token request. {@link #toString()} hides the tokens. */
    public record IssuedTokens(String accessToken, String refreshToken, long expiresIn, Instant expiresAt,
            String scope, Long refreshTokenExpiresIn) {
        @Override
        public String toString() {
            return "IssuedTokens[accessToken=<hidden>, refreshToken=" + (refreshToken == null ? "none" : "<hidden>")
                    + ", expiresIn=" + expiresIn + ", expiresAt=" + expiresAt + ", scope=" + scope + "]";
        }
    }

    /**
     * authorization_code grant. {@code audience} null means "the audience of the authorization request".
     * Checks, in order: the code is known and was issued to this client; it was not used before (a replay
     * revokes every token issued from its first use); it has not expired; the audience matches; the
     * redirect URI equals the one of the authorization request; the PKCE verifier matches the challenge.
     * A failed check other than a replay leaves the code usable.
     */
    IssuedTokens exchangeCode(SandboxClient client, String code, String redirectUri, String codeVerifier,
            String audience, String issuer) {
        if (code == null || code.isEmpty()) {
            throw OAuthError.invalidRequest("Missing required parameter: code");
        }
        lock.lock();
        try {
            Instant now = now();
            Code c = codes.get(SandboxTokens.hash(code));
            if (c == null || !c.clientId.equals(client.clientId())) {
                throw OAuthError.invalidGrant(INVALID_CODE);
            }
            if (c.used) {
                counters.codeReplayed();
                Family f = c.familyId == null ? null : families.get(c.familyId);
                if (f != null && !f.revoked) {
                    revoke(f);
                }
                throw OAuthError.invalidGrant(INVALID_CODE);
            }
            if (!now.isBefore(c.expiresAt)) {
                throw OAuthError.invalidGrant(INVALID_CODE);
            }
            checkAudience(audience, c.audience);
            if (redirectUri == null || redirectUri.isEmpty()) {
                throw OAuthError.invalidRequest("Missing required parameter: redirect_uri");
            }
            if (!redirectUri.equals(c.redirectUri)) {
                throw OAuthError.invalidGrant("redirect_uri does not match the one of the authorization request");
            }
            if (c.codeChallenge != null) {
                if (codeVerifier == null || codeVerifier.isEmpty()) {
                    throw OAuthError.invalidGrant("Missing code_verifier: this code was requested with PKCE");
                }
                if (!VERIFIER.matcher(codeVerifier).matches() || !MessageDigest.isEqual(
                        SandboxTokens.s256(codeVerifier).getBytes(StandardCharsets.US_ASCII),
                        c.codeChallenge.getBytes(StandardCharsets.US_ASCII))) {
                    throw OAuthError.invalidGrant("Failed to verify code verifier");
                }
            } else if (codeVerifier != null) {
                throw OAuthError.invalidGrant("code_verifier given, but the authorization request had no code_challenge");
            }
            c.used = true;
            boolean offline = scopes(c.scope).contains(OFFLINE_ACCESS);
            Family f = new Family(SandboxTokens.random(12), client.clientId(), c.partnerKey, c.audience, c.scope,
                    offline, now.plus(config.refreshTokenLifetime()));
            families.put(f.id, f);
            c.familyId = f.id;
            return issue(f, c.scope, issuer, now);
        } finally {
            lock.unlock();
        }
    }

    /**
     * refresh_token grant with rotation and reuse detection: the presented token is marked used and a new
     * one is returned; presenting a used token again (outside the reuse interval) revokes the whole family.
     * {@code scope} may narrow the family's scope.
     */
    IssuedTokens refresh(SandboxClient client, String refreshToken, String audience, String scope, String issuer) {
        if (refreshToken == null || refreshToken.isEmpty()) {
            throw OAuthError.invalidRequest("Missing required parameter: refresh_token");
        }
        lock.lock();
        try {
            Instant now = now();
            RefreshRecord r = refreshTokens.get(SandboxTokens.hash(refreshToken));
            Family f = r == null ? null : families.get(r.familyId);
            if (f == null || !f.clientId.equals(client.clientId())) {
                throw OAuthError.invalidGrant(UNKNOWN_REFRESH_TOKEN);
            }
            if (faults.isInvalidGrantPartner(f.partnerKey)) {
                throw OAuthError.invalidGrant(UNKNOWN_REFRESH_TOKEN);
            }
            checkAudience(audience, f.audience);
            if (r.usedAt != null) {
                if (!f.revoked && now.isBefore(r.usedAt.plus(reuseInterval()))) {
                    counters.reuseWithinInterval();
                } else {
                    counters.reuseDetected();
                    if (!f.revoked) {
                        revoke(f);
                    }
                    throw OAuthError.invalidGrant(UNKNOWN_REFRESH_TOKEN);
                }
            }
            if (!f.isLive(now)) {
                throw OAuthError.invalidGrant(UNKNOWN_REFRESH_TOKEN);
            }
            String grantedScope = f.scope;
            if (scope != null && !scope.isBlank()) {
                String requested = normalizeScope(scope);
                if (!scopes(f.scope).containsAll(scopes(requested))) {
                    throw OAuthError.invalidScope("The requested scope exceeds the scope of the grant");
                }
                grantedScope = requested;
            }
            counters.rotation(f.id, f.partnerKey);
            if (!rotateRefreshTokens) {
                // rotation switched off: the refresh token stays valid and no new one is sent
                return issue(f, grantedScope, issuer, now, false);
            }
            if (r.usedAt == null) {
                r.usedAt = now;
            }
            return issue(f, grantedScope, issuer, now, true);
        } finally {
            lock.unlock();
        }
    }

    /** client_credentials grant: an access token for one of the known audiences, never a refresh token. */
    IssuedTokens clientCredentials(SandboxClient client, String audience, String scope, String issuer) {
        if (audience == null || audience.isEmpty()) {
            throw OAuthError.invalidRequest("Missing required parameter: audience");
        }
        String audienceScope = CLIENT_CREDENTIALS_SCOPES.get(audience);
        if (audienceScope == null) {
            throw OAuthError.accessDenied("Service not enabled within domain: " + audience);
        }
        String granted = audienceScope;
        if (scope != null && !scope.isBlank()) {
            granted = normalizeScope(scope);
            if (!scopes(audienceScope).containsAll(scopes(granted))) {
                throw OAuthError.invalidScope("The requested scope is not allowed for this audience");
            }
        }
        lock.lock();
        try {
            Instant now = now();
            Instant exp = now.plus(tokenLifetime());
            Map<String, Object> claims = claims(issuer, client.clientId() + "@clients", audience,
                    client.clientId(), granted, now, exp);
            claims.put("gty", "client-credentials");
            String accessToken = SandboxTokens.jwt(claims);
            accessTokens.put(SandboxTokens.hash(accessToken),
                    new AccessRecord(null, client.clientId(), null, audience, granted, exp));
            counters.accessTokenIssued();
            return new IssuedTokens(accessToken, null, tokenLifetime().toSeconds(), exp, granted, null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * RFC 7009 revocation: a refresh token revokes its family, an access token only itself. Unknown
     * tokens and tokens of another client are ignored (the answer is 200 either way, and does not tell
     * whether the token existed).
     */
    void revokeToken(SandboxClient client, String token) {
        String hash = SandboxTokens.hash(token);
        lock.lock();
        try {
            RefreshRecord r = refreshTokens.get(hash);
            Family f = r == null ? null : families.get(r.familyId);
            if (f != null && f.clientId.equals(client.clientId()) && !f.revoked) {
                revoke(f);
            }
            AccessRecord a = accessTokens.get(hash);
            if (a != null && a.clientId.equals(client.clientId())) {
                a.revoked = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** "The partner disconnected the app in Pax8": revokes every family of the partner; answers how many. */
    public int revokePartner(String partnerKey) {
        lock.lock();
        try {
            int n = 0;
            for (Family f : families.values()) {
                if (partnerKey.equals(f.partnerKey) && !f.revoked) {
                    revoke(f);
                    n++;
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** What the sandbox knows about a live access token. */
    public record AccessTokenInfo(String clientId, String partnerKey, String audience, String scope,
            Instant expiresAt) {
        public boolean delegated() {
            return partnerKey != null;
        }
    }

    /** The access token's facts when it is known, unexpired and unrevoked (its family included). */
    public Optional<AccessTokenInfo> liveAccessToken(String accessToken) {
        if (accessToken == null || accessToken.isEmpty()) {
            return Optional.empty();
        }
        String hash = SandboxTokens.hash(accessToken);
        lock.lock();
        try {
            AccessRecord a = accessTokens.get(hash);
            if (a == null || a.revoked || !now().isBefore(a.expiresAt)) {
                return Optional.empty();
            }
            if (a.familyId != null) {
                Family f = families.get(a.familyId);
                if (f == null || f.revoked) {
                    return Optional.empty();
                }
            }
            return Optional.of(new AccessTokenInfo(a.clientId, a.partnerKey, a.audience, a.scope, a.expiresAt));
        } finally {
            lock.unlock();
        }
    }

    // --- internals (called under the lock) --------------------------------------------------------

    private IssuedTokens issue(Family f, String scope, String issuer, Instant now) {
        return issue(f, scope, issuer, now, true);
    }

    private IssuedTokens issue(Family f, String scope, String issuer, Instant now, boolean newRefreshToken) {
        Instant exp = now.plus(tokenLifetime());
        SandboxPartner partner = partners.get(f.partnerKey);
        Map<String, Object> claims = claims(issuer,
                partner != null ? partner.subject() : "sandbox|" + f.partnerKey + "-admin",
                f.audience, f.clientId, scope, now, exp);
        claims.put(PARTNER_ID_CLAIM, partner != null ? partner.pax8PartnerId()
                : SandboxPartner.derivedPartnerId(f.partnerKey));
        String accessToken = SandboxTokens.jwt(claims);
        accessTokens.put(SandboxTokens.hash(accessToken),
                new AccessRecord(f.id, f.clientId, f.partnerKey, f.audience, scope, exp));
        counters.accessTokenIssued();
        String refreshToken = null;
        if (f.offline && newRefreshToken) {
            refreshToken = SandboxTokens.random(32);
            refreshTokens.put(SandboxTokens.hash(refreshToken), new RefreshRecord(f.id));
        }
        Long refreshExpiresIn = refreshToken != null && reportRefreshTokenExpiry
                ? Math.max(0, Duration.between(now, f.expiresAt).toSeconds()) : null;
        return new IssuedTokens(accessToken, refreshToken, tokenLifetime().toSeconds(), exp, scope, refreshExpiresIn);
    }

    private static Map<String, Object> claims(String issuer, String subject, String audience, String clientId,
            String scope, Instant now, Instant exp) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", subject);
        claims.put("aud", audience);
        claims.put("azp", clientId);
        claims.put("scope", scope);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", exp.getEpochSecond());
        claims.put("jti", SandboxTokens.random(12));
        return claims;
    }

    /**
     * A token request for another audience than the grant's. Auth0 answers an audience its tenant does not
     * serve with 403 access_denied ("Service not enabled within domain"); the sandbox answers every
     * audience mismatch the same way, so that a gateway misconfiguration is not mistaken for a dead grant
     * (invalid_grant) and the grant stays usable.
     */
    private static void checkAudience(String requested, String granted) {
        if (requested != null && !requested.equals(granted)) {
            throw OAuthError.accessDenied("Service not enabled within domain: " + requested);
        }
    }

    private void revoke(Family f) {
        f.revoked = true;
        counters.familyRevoked();
    }

    /** Drops expired consent requests and expired unused codes once the maps grow (dev mode runs long). */
    private void prune() {
        Instant now = now();
        if (pending.size() > PRUNE_THRESHOLD) {
            pending.values().removeIf(p -> !now.isBefore(p.expiresAt));
        }
        if (codes.size() > PRUNE_THRESHOLD) {
            codes.values().removeIf(c -> !c.used && !now.isBefore(c.expiresAt));
        }
    }

    static String normalizeScope(String scope) {
        return scope == null ? "" : String.join(" ", scopes(scope));
    }

    static Set<String> scopes(String scope) {
        if (scope == null || scope.isBlank()) {
            return Set.of();
        }
        return new LinkedHashSet<>(Arrays.asList(scope.trim().split("\\s+")));
    }

    private record Pending(AuthorizationRequest request, Instant expiresAt) {
    }

    private static final class Code {
        final String clientId;
        final String redirectUri;
        final String partnerKey;
        final String scope;
        final String audience;
        final String codeChallenge;
        final Instant expiresAt;
        boolean used;
        String familyId;

        Code(String clientId, String redirectUri, String partnerKey, String scope, String audience,
                String codeChallenge, Instant expiresAt) {
            this.clientId = clientId;
            this.redirectUri = redirectUri;
            this.partnerKey = partnerKey;
            this.scope = scope;
            this.audience = audience;
            this.codeChallenge = codeChallenge;
            this.expiresAt = expiresAt;
        }
    }

    /** Everything issued from one code exchange: the refresh tokens of its rotations and their access tokens. */
    private static final class Family {
        final String id;
        final String clientId;
        final String partnerKey;
        final String audience;
        final String scope;
        final boolean offline;
        final Instant expiresAt;
        boolean revoked;

        Family(String id, String clientId, String partnerKey, String audience, String scope, boolean offline,
                Instant expiresAt) {
            this.id = id;
            this.clientId = clientId;
            this.partnerKey = partnerKey;
            this.audience = audience;
            this.scope = scope;
            this.offline = offline;
            this.expiresAt = expiresAt;
        }

        boolean isLive(Instant now) {
            return !revoked && now.isBefore(expiresAt);
        }
    }

    private static final class RefreshRecord {
        final String familyId;
        Instant usedAt;

        RefreshRecord(String familyId) {
            this.familyId = familyId;
        }
    }

    private static final class AccessRecord {
        final String familyId;
        final String clientId;
        final String partnerKey;
        final String audience;
        final String scope;
        final Instant expiresAt;
        boolean revoked;

        AccessRecord(String familyId, String clientId, String partnerKey, String audience, String scope,
                Instant expiresAt) {
            this.familyId = familyId;
            this.clientId = clientId;
            this.partnerKey = partnerKey;
            this.audience = audience;
            this.scope = scope;
            this.expiresAt = expiresAt;
        }
    }
}
