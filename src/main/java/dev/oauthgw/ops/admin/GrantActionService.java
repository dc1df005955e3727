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

/**
 * Operators' actions on a partner's grant, shared by the dashboard and the admin API: force a refresh,
 * create a re-authorization link, disconnect. Each is audited with the operator's identity.
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
        if (g.state == GrantState.REVOKED && g.accessToken == null && g.refreshToken == null) {
            return new DisconnectResult(partnerId, g.state, "none", null, true);
        }
        String revocation;
        String revocationError = null;
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
                LOG.warnf("Revocation at the provider failed while disconnecting partner %s (%s): %s; tokens are "
                        + "deleted anyway", partnerId, e.kind(), e.getMessage());
            }
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("registration", g.registration);
        facts.put("revocation", revocation);
        if (revocationError != null) {
            facts.put("revocation_error", revocationError);
        }
        lifecycle.disconnected(g, actor, facts);
        return new DisconnectResult(partnerId, GrantState.REVOKED, revocation, revocationError, false);
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
