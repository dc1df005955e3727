package dev.oauthgw.audit;

import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/**
 * Writes audit records in the caller's transaction, so that a grant change and its record commit
 * together. Callers pass only non-secret details (ids, states, reasons, expiries).
 */
@ApplicationScoped
public class AuditService {

    private final Clock clock;
    private final ObjectMapper json;

    public AuditService(Clock clock, ObjectMapper json) {
        this.clock = clock;
        this.json = json;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String actor, AuditAction action, String partnerId, UUID grantId, Map<String, ?> detail) {
        AuditEvent e = new AuditEvent();
        e.occurredAt = clock.instant();
        e.actor = actor == null || actor.isBlank() ? "anonymous" : AuditText.bounded(actor, 255);
        e.action = action.name();
        e.partnerId = AuditText.bounded(partnerId, 64);
        e.grantId = grantId;
        e.requestId = AuditText.bounded(RequestIds.current(), 64);
        e.detail = toJson(detail);
        e.persist();
    }

    private String toJson(Map<String, ?> detail) {
        if (detail == null || detail.isEmpty()) {
            return null;
        }
        try {
            return json.writeValueAsString(detail);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Audit detail is not serialisable", e);
        }
    }
}
