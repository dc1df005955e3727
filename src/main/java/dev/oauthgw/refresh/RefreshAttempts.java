package dev.oauthgw.refresh;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
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
 * The one owner of {@code refresh_attempt}, the claim of a refresh (claim / call / store, ADR 0020): inserted with a
 * fencing value ({@code claim_id}) in the short transaction that claims the grant; the provider's new refresh token,
 * sealed, committed on its own short transaction the moment the answer is read; deleted in the transaction that
 * stores the answer after checking the row still carries its claim. No transaction is open while the provider is
 * called. A row younger than the lease ({@code gateway.refresh.answer-lost-after}) is a refresh in flight; an older
 * one belongs to a refresh that ended without storing its answer (the process died, the commit failed), which
 * {@link GrantRefresher#resolveAbandoned} resolves under the grant's row lock. No foreign key: writing the row never
 * waits for the grant's row lock.
 */
@ApplicationScoped
public class RefreshAttempts {

    /**
     * A grant's attempt row: a refresh in flight while its lease runs, else one that ended without storing its
     * answer. {@code kept} is the new refresh token, if it arrived; {@code claimId} is null for rows written before
     * claims existed (their refresh held the grant's row lock for its whole length).
     */
    public record Abandoned(UUID grantId, Instant startedAt, String owner, String trigger, byte[] presentedSha256,
            Optional<Sealed> kept, Instant answeredAt, UUID claimId) {

        /**
         * Whether the refresh that wrote the row can no longer be running: its lease ran out, or it predates claims
         * (then whoever holds the grant's row lock knows its refresh has ended).
         */
        public boolean lapsed(Instant now, Duration lease) {
            return claimId == null || !startedAt.plus(lease).isAfter(now);
        }

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

    /**
     * Records, in the caller's transaction (the claim, which holds the grant's row lock), that a refresh presenting
     * {@code presentedToken} starts now under {@code claimId}.
     *
     * @throws Pending when a row is already there (never overwritten: it may hold the only valid refresh token)
     */
    void claim(UUID grantId, UUID claimId, Instant at, String owner, String trigger, String presentedToken) {
        int inserted = em.createNativeQuery(
                "insert into refresh_attempt (grant_id, started_at, owner, trigger, presented_sha256, claim_id) "
                        + "values (?1, ?2, ?3, ?4, ?5, ?6) on conflict (grant_id) do nothing")
                .setParameter(1, grantId).setParameter(2, at).setParameter(3, owner).setParameter(4, trigger)
                .setParameter(5, sha256(presentedToken)).setParameter(6, claimId).executeUpdate();
        if (inserted == 0) {
            throw new Pending(grantId);
        }
    }

    /**
     * Keeps the provider's new refresh token (sealed for the grant's column) in the claim's row, committed in a
     * short transaction of its own.
     *
     * @return false when the row no longer carries the claim (it lapsed and was resolved by someone else)
     */
    boolean keep(UUID grantId, UUID claimId, Sealed refreshToken, Instant at) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "update refresh_attempt set refresh_token = ?1, refresh_token_key_id = ?2, answered_at = ?3 "
                        + "where grant_id = ?4 and claim_id = ?5")
                .setParameter(1, refreshToken.ciphertext()).setParameter(2, refreshToken.keyId()).setParameter(3, at)
                .setParameter(4, grantId).setParameter(5, claimId).executeUpdate()) == 1;
    }

    /** Whether the claim's row is still there (its refresh has not stored or given up yet). Short, no lock. */
    boolean inFlight(UUID grantId, UUID claimId) {
        return !QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select 1 from refresh_attempt where grant_id = ?1 and claim_id = ?2").setParameter(1, grantId)
                .setParameter(2, claimId).getResultList()).isEmpty();
    }

    /** The grant's row in the current transaction (whose holder has the grant's row lock). */
    Optional<Abandoned> find(UUID grantId) {
        List<Object[]> rows = em.createNativeQuery("select grant_id, started_at, owner, trigger, presented_sha256, "
                + "refresh_token, refresh_token_key_id, answered_at, claim_id from refresh_attempt where grant_id = ?1",
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
                SqlValues.instant(r[7]), (UUID) r[8]);
    }
}
