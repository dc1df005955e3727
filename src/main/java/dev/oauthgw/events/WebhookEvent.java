package dev.oauthgw.events;

import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One event in the webhook outbox (table {@code webhook_event}, migration V2). Never holds a secret. */
@Entity
@Table(name = "webhook_event")
public class WebhookEvent extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String type;

    @Column(name = "partner_id")
    public String partnerId;

    @Column(name = "grant_id")
    public UUID grantId;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    /** The JSON document sent, byte for byte, on every attempt. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String payload;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;

    @Column(name = "last_attempt_at")
    public Instant lastAttemptAt;

    @Column(name = "last_status")
    public Integer lastStatus;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "delivered_at")
    public Instant deliveredAt;

    @Column(name = "dead_at")
    public Instant deadAt;
}
