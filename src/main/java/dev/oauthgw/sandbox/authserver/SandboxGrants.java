package dev.oauthgw.sandbox.authserver;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.oauthgw.sandbox.OAuthError;
import dev.oauthgw.sandbox.SandboxIssued;
import dev.oauthgw.sandbox.SandboxTokens;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * What the authorization server has issued: authorization codes, refresh-token families (everything issued
 * from one code exchange), refresh tokens and access tokens, and the grants that issue them.
 * <p>
 * Concurrency: every read and change happens under one lock, so a refresh token is rotated exactly once
 * however many requests present it at the same moment. Nothing slow happens under the lock (injected
 * delays are slept by the token service before it calls in here).
 * <p>
 * Tokens, codes and refresh tokens are stored by their SHA-256 hash, never by value, and never logged.
 * Access tokens are {@link AccessTokenJwt}s, and live only while this store says so. Time comes from
 * {@link SandboxClock}.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxGrants {

    /** Auth0's description for every dead refresh token, whatever the reason. */
    static final String UNKNOWN_REFRESH_TOKEN = "Unknown or invalid refresh token.";
    static final String INVALID_CODE = "Invalid authorization code";
    static final String PARTNER_ID_CLAIM = "https://pax8.com/partner_id";
    static final String PARTNER_NAME_CLAIM = "https://pax8.com/partner_name";

    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
    private static final int PRUNE_THRESHOLD = 1_000;

    @Inject
    SandboxClients clients;

    @Inject
    SandboxPartners partners;

    @Inject
    SandboxClock clock;

    @Inject
    SandboxTokenPolicy policy;

    @Inject
    SandboxFaults faults;

    @Inject
    SandboxCounters counters;

    @Inject
    SandboxIssued issued;

    private final ReentrantLock lock = new ReentrantLock();

    // guarded by lock
    private final Map<String, Code> codes = new HashMap<>();
    private final Map<String, Family> families = new HashMap<>();
    private final Map<String, RefreshRecord> refreshTokens = new HashMap<>();
    private final Map<String, AccessRecord> accessTokens = new HashMap<>();

    // --- authorization codes ----------------------------------------------------------------------

    /**
     * Issues an authorization code as if the partner admin of {@code partnerKey} had clicked Allow: the
     * consent page's last step, and the programmatic consent for tests. The same checks as the authorize
     * endpoint apply to client, redirect URI and partner; {@code codeChallenge} (S256) may be null.
     *
     * @throws IllegalArgumentException when the client, redirect URI or partner is unknown
     */
    public String issueCode(String clientId, String redirectUri, String partnerKey, String scope, String audience,
            String codeChallenge) {
        SandboxClient client = clients.find(clientId)
                .orElseThrow(() -> new IllegalArgumentException("unknown sandbox client"));
        if (!client.hasRedirectUri(redirectUri)) {
            throw new IllegalArgumentException("redirect_uri is not registered for this client");
        }
        if (partners.find(partnerKey).isEmpty()) {
            throw new IllegalArgumentException("unknown sandbox partner: " + partnerKey);
        }
        String code = issued.secret("authorization code", SandboxTokens.random(32));
        lock.lock();
        try {
            prune();
            codes.put(SandboxTokens.hash(code), new Code(clientId, redirectUri, partnerKey, Scopes.normalize(scope),
                    audience == null ? Audiences.PARTNER_API : audience, codeChallenge,
                    clock.now().plus(policy.codeLifetime())));
        } finally {
            lock.unlock();
        }
        counters.codeIssued();
        return code;
    }

    // --- grants -----------------------------------------------------------------------------------

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
            Instant now = clock.now();
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
            boolean offline = Scopes.set(c.scope).contains(Scopes.OFFLINE_ACCESS);
            Family f = new Family(SandboxTokens.random(12), client.clientId(), c.partnerKey, c.audience, c.scope,
                    offline, now.plus(policy.refreshTokenLifetime()));
            families.put(f.id, f);
            c.familyId = f.id;
            return issue(f, c.scope, issuer, now, true);
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
            Instant now = clock.now();
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
                if (!f.revoked && now.isBefore(r.usedAt.plus(policy.reuseInterval()))) {
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
                String requested = Scopes.normalize(scope);
                if (!Scopes.set(f.scope).containsAll(Scopes.set(requested))) {
                    throw OAuthError.invalidScope("The requested scope exceeds the scope of the grant");
                }
                grantedScope = requested;
            }
            counters.rotation(f.id, f.partnerKey);
            if (!policy.rotatesRefreshTokens()) {
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
        String audienceScope = Audiences.CLIENT_CREDENTIALS_SCOPES.get(audience);
        if (audienceScope == null) {
            throw OAuthError.accessDenied("Service not enabled within domain: " + audience);
        }
        String granted = audienceScope;
        if (scope != null && !scope.isBlank()) {
            granted = Scopes.normalize(scope);
            if (!Scopes.set(audienceScope).containsAll(Scopes.set(granted))) {
                throw OAuthError.invalidScope("The requested scope is not allowed for this audience");
            }
        }
        lock.lock();
        try {
            Instant now = clock.now();
            Duration lifetime = policy.tokenLifetime();
            Instant exp = now.plus(lifetime);
            Map<String, Object> claims = AccessTokenJwt.claims(issuer, client.clientId() + "@clients", audience,
                    client.clientId(), granted, now, exp);
            claims.put("gty", "client-credentials");
            String accessToken = issued.secret("access token", AccessTokenJwt.sign(claims));
            accessTokens.put(SandboxTokens.hash(accessToken),
                    new AccessRecord(null, client.clientId(), null, audience, granted, exp));
            counters.accessTokenIssued();
            return new IssuedTokens(accessToken, null, lifetime.toSeconds(), exp, granted, null);
        } finally {
            lock.unlock();
        }
    }

    // --- revocation -------------------------------------------------------------------------------

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

    /**
     * Every access token of the partner issued so far stops working (the refresh tokens stay): as when Pax8 rotates
     * or revokes the access tokens of a grant. Answers how many.
     */
    public int revokeAccessTokens(String partnerKey) {
        lock.lock();
        try {
            int n = 0;
            for (AccessRecord a : accessTokens.values()) {
                if (partnerKey.equals(a.partnerKey) && !a.revoked) {
                    a.revoked = true;
                    n++;
                }
            }
            return n;
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

    // --- what tests, the control API and the partner API look at ----------------------------------

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
            if (a == null || a.revoked || !clock.now().isBefore(a.expiresAt)) {
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

    /** Families of this partner that can still refresh: not revoked, not expired, with offline_access. */
    public int liveFamilies(String partnerKey) {
        lock.lock();
        try {
            Instant now = clock.now();
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
            Instant now = clock.now();
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

    /** Forgets every code, family and token. */
    public void reset() {
        lock.lock();
        try {
            codes.clear();
            families.clear();
            refreshTokens.clear();
            accessTokens.clear();
        } finally {
            lock.unlock();
        }
    }

    // --- internals (called under the lock) --------------------------------------------------------

    private IssuedTokens issue(Family f, String scope, String issuer, Instant now, boolean newRefreshToken) {
        Duration lifetime = policy.tokenLifetime();
        Instant exp = now.plus(lifetime);
        SandboxPartner partner = partners.find(f.partnerKey).orElse(null);
        Map<String, Object> claims = AccessTokenJwt.claims(issuer,
                partner != null ? partner.subject() : "sandbox|" + f.partnerKey + "-admin",
                f.audience, f.clientId, scope, now, exp);
        claims.put(PARTNER_ID_CLAIM, partner != null ? partner.pax8PartnerId()
                : SandboxPartner.derivedPartnerId(f.partnerKey));
        if (partner != null) {
            claims.put(PARTNER_NAME_CLAIM, partner.name());
        }
        String accessToken = issued.secret("access token", AccessTokenJwt.sign(claims));
        accessTokens.put(SandboxTokens.hash(accessToken),
                new AccessRecord(f.id, f.clientId, f.partnerKey, f.audience, scope, exp));
        counters.accessTokenIssued();
        String refreshToken = null;
        if (f.offline && newRefreshToken) {
            refreshToken = issued.secret("refresh token", SandboxTokens.random(32));
            refreshTokens.put(SandboxTokens.hash(refreshToken), new RefreshRecord(f.id));
        }
        Long refreshExpiresIn = refreshToken != null && policy.reportsRefreshTokenExpiry()
                ? Math.max(0, Duration.between(now, f.expiresAt).toSeconds()) : null;
        return new IssuedTokens(accessToken, refreshToken, lifetime.toSeconds(), exp, scope, refreshExpiresIn);
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

    /** Drops expired unused codes once the map grows (dev mode runs long). */
    private void prune() {
        if (codes.size() > PRUNE_THRESHOLD) {
            Instant now = clock.now();
            codes.values().removeIf(c -> !c.used && !now.isBefore(c.expiresAt));
        }
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
