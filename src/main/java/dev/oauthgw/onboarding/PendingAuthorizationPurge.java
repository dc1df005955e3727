package dev.oauthgw.onboarding;

import java.time.Clock;
import java.time.Instant;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * Deletes authorizations that can no longer finish: every Connect click writes a {@link PendingAuthorization}
 * (state hash, browser hash, sealed PKCE verifier) that expires after {@code authorization-timeout}, and a
 * partner admin who walks away never comes back to consume it. Rows are deleted once they expired more than
 * {@code gateway.onboarding.pending-retention} ago (kept a while so that a late callback still reads "expired"
 * or "already used" rather than "unknown state"), in batches of {@code purge-batch-size}, one short transaction
 * per batch. Every replica runs it; a row deleted twice is deleted once.
 */
@ApplicationScoped
public class PendingAuthorizationPurge {

    private static final Logger LOG = Logger.getLogger(PendingAuthorizationPurge.class);

    private final OnboardingConfig config;
    private final EntityManager em;
    private final Clock clock;

    public PendingAuthorizationPurge(OnboardingConfig config, EntityManager em, Clock clock) {
        this.config = config;
        this.em = em;
        this.clock = clock;
    }

    @Scheduled(identity = "pending-authorization-purge", every = "${gateway.onboarding.purge-every:10m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        try {
            int n = purge();
            if (n > 0) {
                LOG.infof("Purged %d expired pending authorizations", n);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Purging expired pending authorizations failed, retrying at the next run: %s",
                    e.getClass().getSimpleName());
        }
    }

    /** Deletes every pending authorization that expired before now minus the retention; returns how many. */
    public int purge() {
        Instant cutoff = clock.instant().minus(config.pendingRetention());
        int batch = Math.max(1, config.purgeBatchSize());
        int total = 0;
        while (true) {
            int n = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                    "delete from pending_authorization where id in (select id from pending_authorization"
                            + " where expires_at < ?1 order by expires_at limit ?2 for update skip locked)")
                    .setParameter(1, cutoff).setParameter(2, batch).executeUpdate());
            total += n;
            if (n < batch) {
                return total;
            }
        }
    }
}
