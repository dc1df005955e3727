package dev.oauthgw.grant;

import java.time.Instant;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A partner's delegated grant. Tokens are held only as ciphertext with the id of the sealing key;
 * {@link #toString()} never prints them. Its state is assigned only by {@link GrantLifecycle}.
 */
@Entity
@Table(name = "partner_grant")
public class Grant extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "partner_id", nullable = false)
    public String partnerId;

    @Column(nullable = false)
    public String registration;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public GrantState state;

    @Column(name = "state_since", nullable = false)
    public Instant stateSince;

    @Column(name = "provider_subject")
    public String providerSubject;

    public String scope;

    /** The provider account (Pax8 partner id) whose tokens these are, as the identity step found it. */
    @Column(name = "provider_account_id")
    public String providerAccountId;

    /** The account's display name, when the identity step found one (shown to the operator who confirms). */
    @Column(name = "provider_account_name")
    public String providerAccountName;

    @Column(name = "access_token")
    public byte[] accessToken;

    @Column(name = "access_token_key_id")
    public Integer accessTokenKeyId;

    @Column(name = "refresh_token")
    public byte[] refreshToken;

    @Column(name = "refresh_token_key_id")
    public Integer refreshTokenKeyId;

    @Column(name = "access_expires_at")
    public Instant accessExpiresAt;

    /** How long the provider made the current access token live, in seconds, as it said when it was obtained. */
    @Column(name = "access_lifetime_seconds")
    public Long accessLifetimeSeconds;

    @Column(name = "refresh_expires_at")
    public Instant refreshExpiresAt;

    @Column(name = "refresh_due_at")
    public Instant refreshDueAt;

    @Column(name = "refresh_started_at")
    public Instant refreshStartedAt;

    @Column(name = "refresh_failures", nullable = false)
    public int refreshFailures;

    @Column(name = "last_refresh_at")
    public Instant lastRefreshAt;

    @Enumerated(EnumType.STRING)
    @Column(name = "last_refresh_outcome")
    public RefreshOutcome lastRefreshOutcome;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;

    @Override
    public String toString() {
        return "Grant[id=" + id + ", partner=" + partnerId + ", state=" + state + ", accessExpiresAt="
                + accessExpiresAt + ", version=" + version + "]";
    }
}
