package dev.oauthgw.ops.admin;

import dev.oauthgw.ops.OpsConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.oauthgw.audit.AuditAction;
import dev.oauthgw.audit.AuditService;
import dev.oauthgw.common.GatewayException;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.grant.Grant;
import dev.oauthgw.grant.GrantLifecycle;
import dev.oauthgw.grant.GrantLocking;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.grant.GrantState;
import dev.oauthgw.onboarding.OnboardingLinkService;
import dev.oauthgw.onboarding.OnboardingLinkService.IssuedLink;
import dev.oauthgw.partner.Partner;
import dev.oauthgw.provider.ProviderException;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.provider.RegisteredProvider;
import dev.oauthgw.provider.TokenClient;
import dev.oauthgw.refresh.GrantRefresher;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * Operators' actions on a partner's grant, shared by the dashboard and the admin API: force a refresh,
 * create a re-authorization link, disconnect, confirm or reject a PENDING grant's account. Each is audited with the operator's identity.
 */
@ApplicationScoped
public class GrantActionService {

    private static final Logger LOG = Logger.getLogger(GrantActionService.class);

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RefreshResult(String partnerId, boolean refreshed, GrantState state, Instant accessExpiresAt,
            String outcome, String error) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DisconnectResult(String partnerId, GrantState state, String revocation, String revocationError,
            boolean alreadyDisconnected) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ConfirmResult(String partnerId, GrantState state, String providerAccountId,
            String providerAccountName) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RejectResult(String partnerId, GrantState state, String providerAccountId, String revocation,
            String revocationError) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ReauthLink(String linkId, String partnerId, String url, Instant expiresAt, String purpose) {
        @Override
        public String toString() {
            return "ReauthLink[" + linkId + ", " + partnerId + ", expiresAt=" + expiresAt + "]";
        }
    }

    private final GrantLocking locking;
    private final GrantLifecycle lifecycle;
    private final GrantRefresher refresher;
    private final OnboardingLinkService links;
    private final TokenClient tokenClient;
    private final ProviderRegistry providers;
    private final TokenCipher cipher;
    private final AuditService audit;
    private final OpsConfig config;

    public GrantActionService(GrantLocking locking, GrantLifecycle lifecycle, GrantRefresher refresher,
            OnboardingLinkService links, TokenClient tokenClient, ProviderRegistry providers, TokenCipher cipher,
            AuditService audit, OpsConfig config) {
        this.locking = locking;
        this.lifecycle = lifecycle;
        this.refresher = refresher;
        this.links = links;
        this.tokenClient = tokenClient;
        this.providers = providers;
        this.cipher = cipher;
        this.audit = audit;
        this.config = config;
    }

    /**
     * Refreshes the partner's grant now, whatever its expiry, through the refresher (single flight, row
     * lock): 409 when the grant cannot be refreshed (re-authorization required, revoked).
     */
    public RefreshResult forceRefresh(String partnerId, String actor) {
        UUID grantId = QuarkusTransaction.requiringNew().call(() -> {
            Grant g = grantOf(partnerId);
            if (!g.state.refreshable() || g.refreshToken == null) {
                throw notRefreshable(g);
            }
            return g.id;
        });
        GrantRefresher.Outcome o;
        try {
            o = refresher.refresh(grantId, g -> true, GrantRefresher.Trigger.FORCED, config.lockWait());
        } catch (GrantLocking.Busy e) {
            throw GatewayException.conflict("refresh-in-progress", "Refresh in progress",
                    "Another refresh of this grant is still running; try again in a moment.",
                    Map.of("partner_id", partnerId));
        }
        if (o.held() == GrantRefresher.Held.KEY_UNAVAILABLE) {
            throw GatewayException.conflict("key-unavailable", "Key unavailable",
                    "The grant's refresh token cannot be decrypted with the gateway's keyring (a key-management "
                            + "incident): restore its key to GATEWAY_CRYPTO_KEYRING and restart, or have the partner "
                            + "connect again.", Map.of("partner_id", partnerId));
        }
        if (!o.calledProvider()) {
            // the grant changed state between our read and the refresher's locked re-read
            throw notRefreshableState(partnerId, o.snapshot().state());
        }
        ProviderException f = o.failure();
        RefreshResult result = new RefreshResult(partnerId, f == null, o.snapshot().state(),
                o.snapshot().accessExpiresAt(), f == null ? "OK" : f.kind().name(), f == null ? null : f.getMessage());
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("outcome", result.outcome());
        detail.put("state", result.state().name());
        if (f != null) {
            detail.put("reason", f.getMessage());
        } else {
            detail.put("access_expires_at", String.valueOf(result.accessExpiresAt()));
        }
        QuarkusTransaction.requiringNew().run(
                () -> audit.record(actor, AuditAction.GRANT_REFRESH_FORCED, partnerId, grantId, detail));
        return result;
    }

    /**
     * A signed, expiring re-authorization link for a partner that has a grant: completing it replaces
     * the grant's tokens and makes it ACTIVE again (purpose REAUTH).
     */
    public ReauthLink reauthorizationLink(String partnerId, Duration validFor, String actor) {
        boolean hasGrant = QuarkusTransaction.requiringNew().call(() -> {
            if (Partner.findById(partnerId) == null) {
                throw GatewayException.notFound("No partner with id '" + partnerId + "'.");
            }
            return Grant.count("partnerId", partnerId) > 0;
        });
        if (!hasGrant) {
            throw GatewayException.notFound("Partner '" + partnerId
                    + "' has no grant to re-authorize; create an onboarding link instead.");
        }
        IssuedLink l = links.issue(partnerId, validFor == null ? config.reauthLinkValidity() : validFor, actor);
        return new ReauthLink(l.linkId().toString(), partnerId, l.url(), l.expiresAt(), "REAUTH");
    }

    /**
     * Disconnects a partner: under the grant's row lock (so no refresh can race it), revokes the refresh
     * token (and the access token) at the provider where the registration has a revocation endpoint,
     * deletes both ciphertexts and marks the grant REVOKED. A failed revocation is recorded and does not
     * stop the disconnect.
     */
    public DisconnectResult disconnect(String partnerId, String actor) {
        try {
            return locking.inTransaction(config.lockWait(), () -> disconnectLocked(partnerId, actor));
        } catch (GrantLocking.Busy e) {
            throw busy(partnerId);
        }
    }

    private DisconnectResult disconnectLocked(String partnerId, String actor) {
        Grant g = locking.lockOfPartner(partnerId).orElseThrow(() -> noGrant(partnerId));
        // a disconnect also takes back every outstanding link: none may reconnect the partner behind its back
        links.revokeOutstanding(partnerId, null, actor, "partner disconnected");
        if (g.state == GrantState.REVOKED && g.accessToken == null && g.refreshToken == null) {
            return new DisconnectResult(partnerId, g.state, "none", null, true);
        }
        Revocation r = revokeAtProvider(g, "disconnecting");
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("registration", g.registration);
        facts.put("revocation", r.outcome());
        if (r.error() != null) {
            facts.put("revocation_error", r.error());
        }
        lifecycle.disconnected(g, actor, facts);
        return new DisconnectResult(partnerId, GrantState.REVOKED, r.outcome(), r.error(), false);
    }

    /**
     * Confirms the provider account of a PENDING grant (binding confirm-first, ADR 0010): the partner is bound
     * to the account and the grant becomes ACTIVE (audited as GRANT_CONFIRMED with the operator). With
     * {@code expectedAccount} the confirmation holds only for the account the operator saw: a newer consent
     * with another account in between gets 409.
     */
    public ConfirmResult confirm(String partnerId, String expectedAccount, String actor) {
        try {
            return locking.inTransaction(config.lockWait(), () -> {
                Partner partner = Partner.findById(partnerId, LockModeType.PESSIMISTIC_WRITE);
                if (partner == null) {
                    throw noGrant(partnerId);
                }
                Grant g = locking.lockOfPartner(partnerId).orElseThrow(() -> noGrant(partnerId));
                pendingOrConflict(g, expectedAccount);
                if (g.providerAccountId != null) {
                    if (partner.providerAccountId != null && !partner.providerAccountId.equals(g.providerAccountId)) {
                        throw accountConflict(partnerId, "The partner is bound to another account ("
                                + partner.providerAccountId + "); reject this one.");
                    }
                    if (Partner.count("providerAccountId = ?1 and id <> ?2", g.providerAccountId, partnerId) > 0) {
                        throw accountConflict(partnerId, "The account " + g.providerAccountId
                                + " is bound to another partner; reject this one.");
                    }
                    partner.providerAccountId = g.providerAccountId;
                }
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("provider_account_id", g.providerAccountId);
                facts.put("provider_account_name", g.providerAccountName);
                lifecycle.confirmed(g, actor, facts);
                return new ConfirmResult(partnerId, g.state, g.providerAccountId, g.providerAccountName);
            });
        } catch (GrantLocking.Busy e) {
            throw busy(partnerId);
        }
    }

    /**
     * Rejects the provider account of a PENDING grant: like a disconnect, the tokens are revoked at the
     * provider where possible and deleted, and the grant is REVOKED (audited as GRANT_REJECTED). The partner
     * stays unbound; a new link lets the right account consent.
     */
    public RejectResult reject(String partnerId, String expectedAccount, String actor) {
        try {
            return locking.inTransaction(config.lockWait(), () -> {
                Grant g = locking.lockOfPartner(partnerId).orElseThrow(() -> noGrant(partnerId));
                pendingOrConflict(g, expectedAccount);
                Revocation r = revokeAtProvider(g, "rejecting the account of");
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("provider_account_id", g.providerAccountId);
                facts.put("provider_account_name", g.providerAccountName);
                facts.put("revocation", r.outcome());
                if (r.error() != null) {
                    facts.put("revocation_error", r.error());
                }
                String account = g.providerAccountId;
                lifecycle.rejected(g, actor, facts);
                return new RejectResult(partnerId, g.state, account, r.outcome(), r.error());
            });
        } catch (GrantLocking.Busy e) {
            throw busy(partnerId);
        }
    }

    private static void pendingOrConflict(Grant g, String expectedAccount) {
        if (g.state != GrantState.PENDING) {
            throw GatewayException.conflict("grant-not-pending", "Grant not waiting for confirmation",
                    "The grant of partner '" + g.partnerId + "' is " + g.state + ", not PENDING: there is nothing "
                            + "to confirm or reject.",
                    Map.of("partner_id", g.partnerId, "grant_state", g.state.name()));
        }
        if (expectedAccount != null && !expectedAccount.isBlank()
                && !expectedAccount.strip().equals(g.providerAccountId)) {
            throw accountConflict(g.partnerId, "The grant now holds the tokens of account " + g.providerAccountId
                    + ", not " + expectedAccount.strip() + " (the partner consented again); look again.");
        }
    }

    private static GatewayException accountConflict(String partnerId, String detail) {
        return GatewayException.conflict("account-conflict", "Provider account conflict", detail,
                Map.of("partner_id", partnerId));
    }

    private record Revocation(String outcome, String error) {
    }

    /** Revokes the grant's tokens at the provider where it can; a failure is reported, never thrown. */
    private Revocation revokeAtProvider(Grant g, String doing) {
        String revocation;
        String revocationError = null;
        String partnerId = g.partnerId;
        RegisteredProvider provider = providers.get(g.registration);
        if (provider.registration().revocationUrl().isEmpty()) {
            revocation = "not_supported";
        } else {
            try {
                boolean any = false;
                if (g.refreshToken != null) {
                    String refresh = cipher.open(new Sealed(g.refreshToken, g.refreshTokenKeyId),
                            GrantService.refreshAd(g.id));
                    any |= tokenClient.revoke(provider, refresh, "refresh_token");
                }
                if (g.accessToken != null) {
                    String access = cipher.open(new Sealed(g.accessToken, g.accessTokenKeyId),
                            GrantService.accessAd(g.id));
                    any |= tokenClient.revoke(provider, access, "access_token");
                }
                revocation = any ? "revoked" : "none";
            } catch (ProviderException e) {
                revocation = "failed";
                revocationError = e.getMessage();
                LOG.warnf("Revocation at the provider failed while %s partner %s (%s): %s; tokens are "
                        + "deleted anyway", doing, partnerId, e.kind(), e.getMessage());
            }
        }
        return new Revocation(revocation, revocationError);
    }

    private Grant grantOf(String partnerId) {
        Grant g = Grant.<Grant> find("partnerId", partnerId).firstResult();
        if (g == null) {
            throw noGrant(partnerId);
        }
        return g;
    }

    private static GatewayException noGrant(String partnerId) {
        boolean known = Partner.findById(partnerId) != null;
        return GatewayException.notFound(known ? "Partner '" + partnerId + "' has no grant yet."
                : "No partner with id '" + partnerId + "'.");
    }

    private static GatewayException notRefreshable(Grant g) {
        return notRefreshableState(g.partnerId, g.state);
    }

    private static GatewayException notRefreshableState(String partnerId, GrantState state) {
        return GatewayException.conflict("grant-not-refreshable", "Grant cannot be refreshed",
                "The grant of partner '" + partnerId + "' is " + state
                        + ": it has no usable refresh token. Create a re-authorization link instead.",
                Map.of("partner_id", partnerId, "grant_state", state.name()));
    }

    private static GatewayException busy(String partnerId) {
        return GatewayException.conflict("refresh-in-progress", "Refresh in progress",
                "A refresh of this grant is still running; try the disconnect again in a moment.",
                Map.of("partner_id", partnerId));
    }
}
