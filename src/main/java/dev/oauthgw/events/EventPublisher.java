package dev.oauthgw.events;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/**
 * Records grant events in the webhook outbox, in the caller's transaction: the state change and its
 * event commit together or not at all, and a committed event is sent by {@link WebhookSender} until the
 * receiver accepts it (or it is declared dead). Nothing is sent from here, so a slow receiver never
 * slows a refresh down.
 * <p>
 * Events are recorded whether or not a webhook URL is configured: without one they wait in the table
 * and go out once a URL is set (nothing lost; see docs/operations/webhooks.md).
 */
@ApplicationScoped
public class EventPublisher {

    /** Detail keys that look like they carry a credential are refused: the payload never holds one. */
    private static final Pattern SECRET_LIKE = Pattern.compile(".*(token|secret|password|credential|verifier).*");

    private final Clock clock;
    private final ObjectMapper json;

    public EventPublisher(Clock clock, ObjectMapper json) {
        this.clock = clock;
        this.json = json;
    }

    /**
     * Adds an event to the outbox in the current transaction (there must be one) and returns its id, the
     * idempotency id receivers see in {@code X-Gateway-Event-Id} and the payload's {@code id}.
     *
     * @param partnerId null for a global event
     * @param grantId   null for a global event
     * @param detail    non-secret facts (states, reason, registration...); keys that look like credentials
     *                  ({@code *token*}, {@code *secret*}, {@code *password*}...) are refused
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public UUID publish(GrantEventType type, String partnerId, UUID grantId, Map<String, ?> detail) {
        if (type == null) {
            throw new IllegalArgumentException("an event type is required");
        }
        checkDetail(detail);
        WebhookEvent e = new WebhookEvent();
        e.id = UUID.randomUUID();
        e.type = type.name();
        e.partnerId = partnerId;
        e.grantId = grantId;
        e.occurredAt = clock.instant();
        e.payload = payload(e.id, type, e.occurredAt, partnerId, grantId, detail);
        e.attempts = 0;
        e.nextAttemptAt = e.occurredAt;
        e.persist();
        return e.id;
    }

    private String payload(UUID id, GrantEventType type, Instant occurredAt, String partnerId, UUID grantId,
            Map<String, ?> detail) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id.toString());
        p.put("type", type.name());
        p.put("occurred_at", occurredAt.toString());
        p.put("partner_id", partnerId);
        p.put("grant_id", grantId == null ? null : grantId.toString());
        p.put("detail", detail == null ? Map.of() : detail);
        try {
            return json.writeValueAsString(p);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("Event detail is not serialisable to JSON", ex);
        }
    }

    /** Refuses detail keys (at any depth) that look like credentials. */
    static void checkDetail(Map<?, ?> detail) {
        if (detail == null) {
            return;
        }
        for (Map.Entry<?, ?> en : detail.entrySet()) {
            String key = String.valueOf(en.getKey());
            if (SECRET_LIKE.matcher(key.toLowerCase(Locale.ROOT)).matches()) {
                throw new IllegalArgumentException("Event detail must not carry credentials (key '" + key + "')");
            }
            if (en.getValue() instanceof Map<?, ?> nested) {
                checkDetail(nested);
            }
        }
    }
}
