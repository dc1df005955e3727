package dev.oauthgw.onboarding;

import java.time.Instant;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An authorization request between Connect and the callback. State and browser cookie are kept as
 * SHA-256 hashes, the PKCE verifier as ciphertext; {@link #toString()} prints none of them.
 */
@Entity
@Table(name = "pending_authorization")
public class PendingAuthorization extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "state_hash", nullable = false)
    public byte[] stateHash;

    @Column(name = "browser_hash", nullable = false)
    public byte[] browserHash;

    @Column(name = "link_id", nullable = false)
    public UUID linkId;

    @Column(name = "partner_id", nullable = false)
    public String partnerId;

    @Column(nullable = false)
    public String registration;

    @Column(name = "code_verifier", nullable = false)
    public byte[] codeVerifier;

    @Column(name = "code_verifier_key_id", nullable = false)
    public int codeVerifierKeyId;

    @Column(name = "redirect_uri", nullable = false)
    public String redirectUri;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "consumed_at")
    public Instant consumedAt;

    @Override
    public String toString() {
        return "PendingAuthorization[id=" + id + ", partner=" + partnerId + ", expiresAt=" + expiresAt + "]";
    }
}
