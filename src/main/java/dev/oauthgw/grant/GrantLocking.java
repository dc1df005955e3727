package dev.oauthgw.grant;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.PessimisticLockException;

/**
 * Taking a grant's row lock with a bounded wait, the way every writer of a grant does: a transaction of its
 * own whose {@code lock_timeout} is the wait, and a lock that could not be had within it reported as
 * {@link Busy} (never as a generic error). The row lock is what keeps two refreshes, or a refresh and a
 * disconnect, of one grant from interleaving anywhere in the cluster. A wait of zero (the scheduled refresh) does not
 * wait at all: a held grant is skipped ({@code SKIP LOCKED}) and reported as {@link Busy} without any SQL error.
 */
@ApplicationScoped
public class GrantLocking {

    /** PostgreSQL's lock_not_available. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /** Someone else held the grant's row lock longer than the caller may wait. */
    public static class Busy extends RuntimeException {
        public Busy(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * With a zero wait only the grant's own lock is skipped when held; the short-held rows the work may lock besides
     * (the rate budget, provider incidents) are waited for this long.
     */
    private static final Duration OTHER_LOCKS_WAIT = Duration.ofSeconds(2);

    /** Set while the work of {@link #inTransaction} with a zero wait runs: locks skip held rows instead of waiting. */
    private static final ThreadLocal<Boolean> NO_WAIT = ThreadLocal.withInitial(() -> false);

    private final EntityManager em;

    public GrantLocking(EntityManager em) {
        this.em = em;
    }

    /**
     * Runs {@code work} in a new transaction whose lock waits are bounded by {@code lockWait} (the
     * transaction itself may last {@code lockWait} plus 90 s for the work); a lock timeout anywhere in it
     * becomes {@link Busy}.
     */
    public <T> T inTransaction(Duration lockWait, Supplier<T> work) {
        boolean outer = NO_WAIT.get();
        try {
            return QuarkusTransaction.requiringNew().timeout(txTimeoutSeconds(lockWait)).call(() -> {
                em.createNativeQuery("select set_config('lock_timeout', ?1, true)")
                        .setParameter(1, (lockWait.isZero() ? OTHER_LOCKS_WAIT.toMillis() : lockWait.toMillis()) + "ms")
                        .getSingleResult();
                NO_WAIT.set(lockWait.isZero());
                return work.get();
            });
        } catch (RuntimeException e) {
            if (isLockTimeout(e)) {
                throw new Busy("Another change of this grant is taking longer than " + lockWait.toSeconds() + " s");
            }
            throw e;
        } finally {
            NO_WAIT.set(outer);
        }
    }

    /**
     * The grant, row-locked, in the current transaction (started by {@link #inTransaction}). With a wait of zero, a
     * grant another transaction holds is not waited for: {@link Busy} at once, through {@code SKIP LOCKED}, so that
     * ordinary contention between replicas raises no SQL error (and Hibernate logs no warning).
     */
    public Optional<Grant> lock(UUID grantId) {
        if (NO_WAIT.get()) {
            @SuppressWarnings("unchecked")
            List<UUID> free = em.createNativeQuery("select id from partner_grant where id = ?1 for update skip locked",
                    UUID.class).setParameter(1, grantId).getResultList();
            if (free.isEmpty()) {
                return busyIfPresent(Grant.findByIdOptional(grantId));
            }
        }
        return Optional.ofNullable(em.find(Grant.class, grantId, LockModeType.PESSIMISTIC_WRITE));
    }

    /** The partner's grant, row-locked, in the current transaction (started by {@link #inTransaction}); as {@link #lock}. */
    public Optional<Grant> lockOfPartner(String partnerId) {
        if (NO_WAIT.get()) {
            @SuppressWarnings("unchecked")
            List<UUID> free = em.createNativeQuery("select id from partner_grant where partner_id = ?1 "
                    + "for update skip locked", UUID.class).setParameter(1, partnerId).getResultList();
            if (free.isEmpty()) {
                return busyIfPresent(Grant.<Grant> find("partnerId", partnerId).firstResultOptional());
            }
        }
        return Grant.<Grant> find("partnerId", partnerId).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
    }

    /** A row that exists but was skipped is held by someone else; one that does not exist is simply absent. */
    private static <T> Optional<T> busyIfPresent(Optional<?> row) {
        if (row.isPresent()) {
            throw new Busy("Another change of this grant is in progress");
        }
        return Optional.empty();
    }

    /** Whether {@code e} (or a cause) says a lock could not be had in time. */
    public static boolean isLockTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LockTimeoutException || t instanceof PessimisticLockException) {
                return true;
            }
            if (t instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static int txTimeoutSeconds(Duration lockWait) {
        return (int) Math.min(600, lockWait.toSeconds() + 90);
    }
}
