package dev.oauthgw.onboarding;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import dev.oauthgw.audit.AuditAction;
import dev.oauthgw.audit.AuditService;
import dev.oauthgw.common.GatewayException;
import dev.oauthgw.grant.Grant;
import dev.oauthgw.partner.Partner;
import jakarta.enterprise.context.ApplicationScoped;
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
        INVALID, EXPIRED, USED
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
        String base = config.publicUrl().toString().replaceAll("/+$", "");
        return new IssuedLink(link.id, base + "/onboarding/" + signer.sign(link.id, link.expiresAt), link.expiresAt);
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
        if (!clock.instant().isBefore(link.expiresAt)) {
            throw new LinkRejected(LinkProblem.EXPIRED);
        }
        Partner p = Partner.findById(link.partnerId);
        return new ActiveLink(link.id, p.id, p.displayName, link.purpose, link.expiresAt);
    }
}
