package dev.oauthgw.tokens;

import java.time.Instant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** The vendor's own client-credentials token for one configured audience, held as ciphertext. */
@Entity
@Table(name = "vendor_token")
public class VendorToken extends PanacheEntityBase {

    @Id
    public String name;

    @Column(nullable = false)
    public String registration;

    @Column(nullable = false)
    public String audience;

    public String scope;

    @Column(name = "access_token", nullable = false)
    public byte[] accessToken;

    @Column(name = "access_token_key_id", nullable = false)
    public int accessTokenKeyId;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "obtained_at", nullable = false)
    public Instant obtainedAt;

    @Version
    public long version;

    @Override
    public String toString() {
        return "VendorToken[name=" + name + ", audience=" + audience + ", expiresAt=" + expiresAt + "]";
    }
}
