package dev.oauthgw.onboarding;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.oauthgw.audit.AuditAction;
import dev.oauthgw.audit.AuditService;
import dev.oauthgw.common.GatewayException;
import dev.oauthgw.grant.Grant;
import dev.oauthgw.partner.Partner;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

/** Issues onboarding links and tells whether a presented link is still good. */
@ApplicationScoped
public class OnboardingLinkService {

    private final OnboardingConfig config;
    private final LinkSigner signer;
    private final Clock clock;
    private final AuditService audit;

    public OnboardingLinkService(OnboardingConfig config, LinkSigner signer, Clock clock, AuditService audit) {
        this.config = config;
        this.signer = signer;
        this.clock = clock;
        this.audit = audit;
    }

    public record IssuedLink(UUID linkId, String url, Instant expiresAt) {
        @Override
        public String toString() {
            return "IssuedLink[" + linkId + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** Why a link cannot be used. */
    public enum LinkProblem {
        INVALID, EXPIRED, USED, REVOKED
    }

    public static class LinkRejected extends RuntimeException {
        private final LinkProblem problem;

        public LinkRejected(LinkProblem problem) {
            super("onboarding link " + problem.name().toLowerCase());
            this.problem = problem;
        }

        public LinkProblem problem() {
            return problem;
        }
    }

    /** A usable link with the partner it was made for. */
    public record ActiveLink(UUID linkId, String partnerId, String partnerName, OnboardingLink.Purpose purpose,
            Instant expiresAt) {
    }

    @Transactional
    public IssuedLink issue(String partnerId, Duration validFor, String actor) {
        Partner partner = Partner.findById(partnerId);
        if (partner == null) {
            throw GatewayException.notFound("No partner with id '" + partnerId + "'.");
        }
        Duration validity = validFor == null ? config.linkValidity() : validFor;
        if (validity.isNegative() || validity.isZero() || validity.compareTo(config.maxLinkValidity()) > 0) {
            throw GatewayException.badRequest("valid_for must be positive and at most " + config.maxLinkValidity() + ".");
        }
        Instant now = clock.instant();
        OnboardingLink link = new OnboardingLink();
        link.id = UUID.randomUUID();
        link.partnerId = partnerId;
        link.purpose = Grant.count("partnerId", partnerId) > 0 ? OnboardingLink.Purpose.REAUTH
                : OnboardingLink.Purpose.ONBOARD;
        link.createdBy = actor;
        link.createdAt = now;
        link.expiresAt = now.plus(validity).truncatedTo(ChronoUnit.SECONDS);
        link.persist();
        audit.record(actor, AuditAction.LINK_CREATED, partnerId, null,
                Map.of("link_id", link.id.toString(), "purpose", link.purpose.name(),
                        "expires_at", link.expiresAt.toString()));
        String base = config.publicUrl().orElseThrow().toString().replaceAll("/+$", "");
        return new IssuedLink(link.id, base + "/onboarding/" + signer.sign(link.id, link.expiresAt), link.expiresAt);
    }

    /** An outstanding link as operators see it (never its URL: the signature is not stored). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LinkView(String linkId, String partnerId, String purpose, String createdBy, Instant createdAt,
            Instant expiresAt, Instant usedAt, Instant revokedAt, String revokedBy) {
        static LinkView of(OnboardingLink l) {
            return new LinkView(l.id.toString(), l.partnerId, l.purpose.name(), l.createdBy, l.createdAt, l.expiresAt,
                    l.usedAt, l.revokedAt, l.revokedBy);
        }
    }

    /** The partner's links that could still be used: neither used, revoked nor expired; newest first. */
    @Transactional
    public List<LinkView> outstanding(String partnerId) {
        if (Partner.findById(partnerId) == null) {
            throw GatewayException.notFound("No partner with id '" + partnerId + "'.");
        }
        return OnboardingLink.<OnboardingLink> find("partnerId = ?1 and usedAt is null and revokedAt is null "
                + "and expiresAt > ?2", Sort.descending("createdAt"), partnerId, clock.instant())
                .list().stream().map(LinkView::of).toList();
    }

    /**
     * Takes back one outstanding link of the partner (audited as LINK_REVOKED): 404 for an unknown link or
     * one of another partner, 409 for a link that is used, revoked or expired already.
     */
    @Transactional
    public LinkView revoke(String partnerId, UUID linkId, String actor) {
        if (Partner.findById(partnerId) == null) {
            throw GatewayException.notFound("No partner with id '" + partnerId + "'.");
        }
        OnboardingLink link = OnboardingLink.findById(linkId, LockModeType.PESSIMISTIC_WRITE);
        if (link == null || !link.partnerId.equals(partnerId)) {
            throw GatewayException.notFound("Partner '" + partnerId + "' has no link '" + linkId + "'.");
        }
        String why = link.usedAt != null ? "used" : link.revokedAt != null ? "revoked"
                : !clock.instant().isBefore(link.expiresAt) ? "expired" : null;
        if (why != null) {
            throw GatewayException.conflict("link-not-outstanding", "Link not outstanding",
                    "The link '" + linkId + "' is " + why + " already.",
                    Map.of("partner_id", partnerId, "link_id", linkId.toString(), "link_state", why.toUpperCase()));
        }
        revokeOne(link, actor, "revoked by an operator");
        return LinkView.of(link);
    }

    /**
     * Takes back every outstanding link of the partner but {@code except} (a disconnect: none spared; a
     * successful onboarding: the link just used), in the caller's transaction. One LINK_REVOKED record each.
     *
     * @return how many links were revoked
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int revokeOutstanding(String partnerId, UUID except, String actor, String reason) {
        List<OnboardingLink> open = OnboardingLink.<OnboardingLink> find("partnerId = ?1 and usedAt is null "
                + "and revokedAt is null and expiresAt > ?2", partnerId, clock.instant())
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
        int n = 0;
        for (OnboardingLink l : open) {
            if (!l.id.equals(except)) {
                revokeOne(l, actor, reason);
                n++;
            }
        }
        return n;
    }

    private void revokeOne(OnboardingLink link, String actor, String reason) {
        link.revokedAt = clock.instant();
        link.revokedBy = actor;
        audit.record(actor, AuditAction.LINK_REVOKED, link.partnerId, null,
                Map.of("link_id", link.id.toString(), "purpose", link.purpose.name(), "reason", reason));
    }

    /** The link behind a token, if its signature holds, it has not expired and has not been used. */
    @Transactional
    public ActiveLink resolve(String token) {
        LinkSigner.Verified v = signer.verify(token).orElseThrow(() -> new LinkRejected(LinkProblem.INVALID));
        OnboardingLink link = OnboardingLink.findById(v.linkId());
        if (link == null || !link.expiresAt.equals(v.expiresAt())) {
            throw new LinkRejected(LinkProblem.INVALID);
        }
        return check(link);
    }

    /** Checks a link found by id (the callback's view): same rules as {@link #resolve(String)}. */
    @Transactional
    public ActiveLink byId(UUID linkId) {
        OnboardingLink link = OnboardingLink.findById(linkId);
        if (link == null) {
            throw new LinkRejected(LinkProblem.INVALID);
        }
        return check(link);
    }

    private ActiveLink check(OnboardingLink link) {
        if (link.usedAt != null) {
            throw new LinkRejected(LinkProblem.USED);
        }
        if (link.revokedAt != null) {
            throw new LinkRejected(LinkProblem.REVOKED);
        }
        if (!clock.instant().isBefore(link.expiresAt)) {
            throw new LinkRejected(LinkProblem.EXPIRED);
        }
        Partner p = Partner.findById(link.partnerId);
        return new ActiveLink(link.id, p.id, p.displayName, link.purpose, link.expiresAt);
    }
}
