package dev.oauthgw.partner;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.oauthgw.audit.AuditAction;
import dev.oauthgw.audit.AuditService;
import dev.oauthgw.common.GatewayException;
import dev.oauthgw.provider.BindingPolicies;
import dev.oauthgw.provider.BindingPolicy;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/** Partners: created by operators, looked up by the vendor's id. */
@ApplicationScoped
public class PartnerService {

    private final Clock clock;
    private final AuditService audit;
    private final BindingPolicies bindings;

    public PartnerService(Clock clock, AuditService audit, BindingPolicies bindings) {
        this.clock = clock;
        this.audit = audit;
        this.bindings = bindings;
    }

    public record PartnerView(String id, String displayName, String providerAccountId, Instant createdAt) {
        static PartnerView of(Partner p) {
            return new PartnerView(p.id, p.displayName, p.providerAccountId, p.createdAt);
        }
    }

    @Transactional
    public PartnerView create(String id, String displayName, String providerAccountId, String actor) {
        if (Partner.findById(id) != null) {
            throw GatewayException.conflict("partner-exists", "Partner exists",
                    "A partner with id '" + id + "' already exists.", Map.of("partner_id", id));
        }
        String account = providerAccountId == null || providerAccountId.isBlank() ? null : providerAccountId.strip();
        if (account == null && bindings.ofDefault() == BindingPolicy.OPERATOR_SET) {
            throw GatewayException.badRequest("provider_account_id is required: the registration's binding is "
                    + "operator-set (the operator names the partner's Pax8 account).");
        }
        if (account != null && Partner.count("providerAccountId", account) > 0) {
            throw GatewayException.conflict("account-bound", "Provider account bound",
                    "The provider account '" + account + "' is bound to another partner already.",
                    Map.of("provider_account_id", account));
        }
        Instant now = clock.instant();
        Partner p = new Partner();
        p.id = id;
        p.displayName = displayName.strip();
        p.providerAccountId = account;
        p.createdBy = actor;
        p.createdAt = now;
        p.updatedAt = now;
        p.persist();
        audit.record(actor, AuditAction.PARTNER_CREATED, id, null, Map.of("display_name", p.displayName));
        return PartnerView.of(p);
    }

    @Transactional
    public Optional<PartnerView> find(String id) {
        return Partner.<Partner> findByIdOptional(id).map(PartnerView::of);
    }

    @Transactional
    public PartnerView get(String id) {
        return find(id).orElseThrow(() -> GatewayException.notFound("No partner with id '" + id + "'."));
    }

    @Transactional
    public List<PartnerView> list(int page, int size) {
        return Partner.<Partner> findAll(Sort.descending("createdAt", "id")).page(Page.of(page, size)).list().stream()
                .map(PartnerView::of).toList();
    }

    @Transactional
    public long count() {
        return Partner.count();
    }
}
