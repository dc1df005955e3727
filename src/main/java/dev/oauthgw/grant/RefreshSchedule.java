package dev.oauthgw.grant;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * When a grant is due for refresh: {@code expires_at - lifetime/3}, moved earlier by a per-grant jitter
 * of up to a twelfth of the lifetime (derived from the grant id, so it is stable across replicas), so
 * that grants onboarded together do not come due together.
 */
public final class RefreshSchedule {

    private RefreshSchedule() {
    }

    public static Instant dueAt(UUID grantId, Instant obtainedAt, Instant expiresAt) {
        Duration lifetime = Duration.between(obtainedAt, expiresAt);
        if (lifetime.isNegative() || lifetime.isZero()) {
            return obtainedAt;
        }
        long jitterSpanMillis = Math.max(1, lifetime.toMillis() / 12);
        long jitter = Math.floorMod(grantId.getLeastSignificantBits() ^ grantId.getMostSignificantBits(),
                jitterSpanMillis);
        return expiresAt.minus(lifetime.dividedBy(3)).minusMillis(jitter);
    }
}
