package dev.oauthgw.grant;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.oauthgw.crypto.AssociatedData;
import dev.oauthgw.crypto.EncryptedColumn;
import dev.oauthgw.partner.Partner;
import dev.oauthgw.provider.TokenResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

/** Partners' grants: storing a new grant from onboarding, and reading a grant's status (never a token). */
@ApplicationScoped
public class GrantService {

    private final Clock clock;
    private final GrantLifecycle lifecycle;

    public GrantService(Clock clock, GrantLifecycle lifecycle) {
        this.clock = clock;
        this.lifecycle = lifecycle;
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GrantStatus(String partnerId, String registration, GrantState state, Instant stateSince,
            String scope, String providerSubject, String providerAccountId, String providerAccountName,
            Instant accessExpiresAt, Instant refreshExpiresAt,
            Instant refreshDueAt, Instant lastRefreshAt, RefreshOutcome lastRefreshOutcome, String lastError,
            int refreshFailures, Instant createdAt, Instant updatedAt) {
        static GrantStatus of(Grant g) {
            return new GrantStatus(g.partnerId, g.registration, g.state, g.stateSince, g.scope, g.providerSubject,
                    g.providerAccountId, g.providerAccountName, g.accessExpiresAt, g.refreshExpiresAt, g.refreshDueAt, g.lastRefreshAt, g.lastRefreshOutcome,
                    g.lastError, g.refreshFailures, g.createdAt, g.updatedAt);
        }
    }

    /** What onboarding hands over once the provider answered and the partner's identity checked out. */
    public record NewGrant(String partnerId, String registration, TokenResponse tokens, String providerSubject,
            UUID linkId, String providerAccountId, String providerAccountName, boolean awaitConfirmation) {
        public NewGrant(String partnerId, String registration, TokenResponse tokens, String providerSubject,
                UUID linkId) {
            this(partnerId, registration, tokens, providerSubject, linkId, null, null, false);
        }
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
        Grant g = Grant.<Grant> find("partnerId", n.partnerId()).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult();
        boolean replaced = g != null;
        if (g == null) {
            g = new Grant();
            g.id = UUID.randomUUID();
            g.partnerId = n.partnerId();
            g.createdAt = clock.instant();
        }
        TokenResponse t = n.tokens();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("registration", n.registration());
        facts.put("access_expires_at", t.expiresAt().toString());
        facts.put("refresh_token", t.refreshToken().isPresent());
        facts.put("scope", t.scope());
        if (n.linkId() != null) {
            facts.put("link_id", n.linkId().toString());
        }
        lifecycle.consented(g, replaced, t, n.registration(), n.providerSubject(), n.providerAccountId(),
                n.providerAccountName(), n.awaitConfirmation(), actor, facts);
        if (!replaced) {
            g.persist();
        } // a replaced grant is dirty (new ciphertexts), so Hibernate bumps its version on flush
        return replaced;
    }

    public static AssociatedData accessAd(UUID grantId) {
        return EncryptedColumn.GRANT_ACCESS_TOKEN.associatedData(grantId);
    }

    public static AssociatedData refreshAd(UUID grantId) {
        return EncryptedColumn.GRANT_REFRESH_TOKEN.associatedData(grantId);
    }
}
