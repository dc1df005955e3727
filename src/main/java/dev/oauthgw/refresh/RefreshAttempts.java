package dev.oauthgw.refresh;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.oauthgw.common.SqlValues;
import dev.oauthgw.crypto.Sealed;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * The one owner of {@code refresh_attempt}: a refresh in flight, committed on its own connection before the
 * provider is called; the provider's new refresh token, sealed and committed on its own connection the moment
 * the answer is read; deleted in the transaction that stores the whole answer. A row found by someone who holds
 * the grant's row lock belongs to a refresh that ended without storing its answer (the process died, the commit
 * failed): {@link GrantRefresher} resolves it before refreshing again. No foreign key: writing it never waits for
 * the grant's row lock, which the refreshing transaction holds.
 */
@ApplicationScoped
public class RefreshAttempts {

    /** A refresh that ended without storing its answer. {@code kept} is the new refresh token, if it arrived. */
    public record Abandoned(UUID grantId, Instant startedAt, String owner, String trigger, byte[] presentedSha256,
            Optional<Sealed> kept, Instant answeredAt) {
        @Override
        public String toString() {
            return "Abandoned[" + grantId + ", started " + startedAt + " by " + owner + " (" + trigger + "), "
                    + (kept.isPresent() ? "new refresh token kept" : "no answer kept") + "]";
        }
    }

    /** Another attempt's row is there: it must be resolved before this grant is refreshed again. */
    static class Pending extends RuntimeException {
        Pending(UUID grantId) {
            super("an earlier refresh of grant " + grantId + " ended without storing its answer", null, false, false);
        }
    }

    private final EntityManager em;

    public RefreshAttempts(EntityManager em) {
        this.em = em;
    }

    /** Whether a row is there (cheap, no lock): only a holder of the grant's row lock can tell it is abandoned. */
    public boolean exists(UUID grantId) {
        return QuarkusTransaction.joiningExisting().call(() -> !em.createNativeQuery(
                "select 1 from refresh_attempt where grant_id = ?1").setParameter(1, grantId).getResultList().isEmpty());
    }

    /**
     * Records, committed on its own connection, that a refresh presenting {@code presentedToken} starts now.
     *
     * @throws Pending when a row is already there (never overwritten: it may hold the only valid refresh token)
     */
    void start(UUID grantId, Instant at, String owner, String trigger, String presentedToken) {
        int inserted = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "insert into refresh_attempt (grant_id, started_at, owner, trigger, presented_sha256) "
                        + "values (?1, ?2, ?3, ?4, ?5) on conflict (grant_id) do nothing")
                .setParameter(1, grantId).setParameter(2, at).setParameter(3, owner).setParameter(4, trigger)
                .setParameter(5, sha256(presentedToken)).executeUpdate());
        if (inserted == 0) {
            throw new Pending(grantId);
        }
    }

    /** Keeps the provider's new refresh token (sealed for the grant's column), committed on its own connection. */
    void keep(UUID grantId, Sealed refreshToken, Instant at) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update refresh_attempt set refresh_token = ?1, refresh_token_key_id = ?2, answered_at = ?3 "
                        + "where grant_id = ?4")
                .setParameter(1, refreshToken.ciphertext()).setParameter(2, refreshToken.keyId()).setParameter(3, at)
                .setParameter(4, grantId).executeUpdate());
    }

    /** The grant's row in the current transaction (whose holder has the grant's row lock). */
    Optional<Abandoned> find(UUID grantId) {
        List<Object[]> rows = em.createNativeQuery("select grant_id, started_at, owner, trigger, presented_sha256, "
                + "refresh_token, refresh_token_key_id, answered_at from refresh_attempt where grant_id = ?1",
                Object[].class).setParameter(1, grantId).getResultList();
        return rows.stream().findFirst().map(RefreshAttempts::abandoned);
    }

    /** Deletes the grant's row in the current transaction (the answer is stored, or the row resolved). */
    void finish(UUID grantId) {
        em.createNativeQuery("delete from refresh_attempt where grant_id = ?1").setParameter(1, grantId)
                .executeUpdate();
    }

    /** Grants whose attempt started before {@code cutoff} (candidates: their refresh may still be running). */
    List<UUID> startedBefore(Instant cutoff) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select grant_id from refresh_attempt where started_at < ?1 order by started_at", UUID.class)
                .setParameter(1, cutoff).getResultList());
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Abandoned abandoned(Object[] r) {
        Optional<Sealed> kept = r[5] == null ? Optional.empty()
                : Optional.of(new Sealed((byte[]) r[5], ((Number) r[6]).intValue()));
        return new Abandoned((UUID) r[0], SqlValues.instant(r[1]), (String) r[2], (String) r[3], (byte[]) r[4], kept,
                SqlValues.instant(r[7]));
    }
}
