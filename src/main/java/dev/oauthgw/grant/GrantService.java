package dev.oauthgw.grant;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.oauthgw.audit.AuditAction;
import dev.oauthgw.audit.AuditService;
import dev.oauthgw.crypto.AssociatedData;
import dev.oauthgw.crypto.EncryptedColumn;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.events.EventPublisher;
import dev.oauthgw.partner.Partner;
import dev.oauthgw.provider.TokenResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

/** Partners' grants: storing a new grant from onboarding, and reading a grant's status (never a token). */
@ApplicationScoped
public class GrantService {

    private final Clock clock;
    private final TokenCipher cipher;
    private final AuditService audit;
    private final EventPublisher events;

    public GrantService(Clock clock, TokenCipher cipher, AuditService audit, EventPublisher events) {
        this.clock = clock;
        this.cipher = cipher;
        this.audit = audit;
        this.events = events;
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GrantStatus(String partnerId, String registration, GrantState state, Instant stateSince,
            String scope, String providerSubject, Instant accessExpiresAt, Instant refreshExpiresAt,
            Instant refreshDueAt, Instant lastRefreshAt, String lastRefreshOutcome, String lastError,
            int refreshFailures, Instant createdAt, Instant updatedAt) {
        static GrantStatus of(Grant g) {
            return new GrantStatus(g.partnerId, g.registration, g.state, g.stateSince, g.scope, g.providerSubject,
                    g.accessExpiresAt, g.refreshExpiresAt, g.refreshDueAt, g.lastRefreshAt, g.lastRefreshOutcome,
                    g.lastError, g.refreshFailures, g.createdAt, g.updatedAt);
        }
    }

    /** What onboarding hands over once the provider answered and the partner's identity checked out. */
    public record NewGrant(String partnerId, String registration, TokenResponse tokens, String providerSubject,
            UUID linkId) {
    }

    @Transactional
    public Optional<UUID> grantId(String partnerId) {
        return Grant.<Grant> find("partnerId", partnerId).firstResultOptional().map(g -> g.id);
    }

    @Transactional
    public Optional<GrantStatus> status(String partnerId) {
        return Grant.<Grant> find("partnerId", partnerId).firstResultOptional().map(GrantStatus::of);
    }

    /**
     * Stores a partner's new grant, or replaces its current one in place: one transaction, under the
     * partner's row lock, so callers see either the old tokens or the new ones, never neither. The
     * version bump makes any stale writer (a refresh of the old tokens) fail.
     *
     * @return true when an existing grant was replaced
     */
    @Transactional
    public boolean store(NewGrant n, String actor) {
        Partner.<Partner> findById(n.partnerId(), LockModeType.PESSIMISTIC_WRITE);
        Instant now = clock.instant();
        Grant g = Grant.<Grant> find("partnerId", n.partnerId()).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult();
        boolean replaced = g != null;
        if (g == null) {
            g = new Grant();
            g.id = UUID.randomUUID();
            g.partnerId = n.partnerId();
            g.createdAt = now;
        }
        TokenResponse t = n.tokens();
        g.registration = n.registration();
        if (replaced && g.state != GrantState.ACTIVE) {
            events.publishStateChange(g.partnerId, g.id, g.state, GrantState.ACTIVE, "re-authorized by the partner");
        }
        g.state = GrantState.ACTIVE;
        g.stateSince = now;
        g.scope = t.scope();
        g.providerSubject = n.providerSubject();
        Sealed access = cipher.seal(t.accessToken(), accessAd(g.id));
        g.accessToken = access.ciphertext();
        g.accessTokenKeyId = access.keyId();
        if (t.refreshToken().isPresent()) {
            Sealed refresh = cipher.seal(t.refreshToken().get(), refreshAd(g.id));
            g.refreshToken = refresh.ciphertext();
            g.refreshTokenKeyId = refresh.keyId();
        } else {
            g.refreshToken = null;
            g.refreshTokenKeyId = null;
        }
        g.accessExpiresAt = t.expiresAt();
        g.refreshExpiresAt = t.refreshExpiresAt().orElse(null);
        g.refreshDueAt = g.refreshToken == null ? null : RefreshSchedule.dueAt(g.id, now, t.expiresAt());
        g.refreshStartedAt = null;
        g.refreshFailures = 0;
        g.lastRefreshOutcome = null; // a new grant: earlier refresh outcomes belong to the old one
        g.lastError = null;
        g.updatedAt = now;
        if (!replaced) {
            g.persist();
        } // a replaced grant is dirty (new ciphertexts), so Hibernate bumps its version on flush
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("registration", n.registration());
        detail.put("access_expires_at", t.expiresAt().toString());
        detail.put("refresh_token", t.refreshToken().isPresent());
        detail.put("scope", t.scope());
        if (n.linkId() != null) {
            detail.put("link_id", n.linkId().toString());
        }
        audit.record(actor, replaced ? AuditAction.GRANT_REPLACED : AuditAction.GRANT_CREATED, n.partnerId(), g.id,
                detail);
        return replaced;
    }

    public static AssociatedData accessAd(UUID grantId) {
        return EncryptedColumn.GRANT_ACCESS_TOKEN.associatedData(grantId);
    }

    public static AssociatedData refreshAd(UUID grantId) {
        return EncryptedColumn.GRANT_REFRESH_TOKEN.associatedData(grantId);
    }
}
