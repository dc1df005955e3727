package dev.oauthgw.onboarding;

import static dev.oauthgw.testing.OnboardingDriver.connect;
import static dev.oauthgw.testing.OnboardingDriver.newLinkPath;
import static dev.oauthgw.testing.OnboardingDriver.newPartner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Abandoned Connect clicks do not stay in the database for ever. The scheduled run is off in tests. */
@QuarkusTest
class PendingAuthorizationPurgeTest {

    @Inject
    Db db;
    @Inject
    PendingAuthorizationPurge purge;

    private long pending(String partner) {
        return db.count("select count(*) from pending_authorization where partner_id = ?", partner);
    }

    @Test
    void an_authorization_expired_longer_than_the_retention_is_purged_and_a_live_one_stays() {
        String abandoned = newPartner("Abandoned Connect");
        connect(newLinkPath(abandoned), null);
        connect(newLinkPath(abandoned), null);
        String recent = newPartner("Recently Expired Connect");
        connect(newLinkPath(recent), null);
        String live = newPartner("Live Connect");
        connect(newLinkPath(live), null);
        db.update("update pending_authorization set expires_at = now() - interval '2 hours' where partner_id = ?",
                abandoned);
        db.update("update pending_authorization set expires_at = now() - interval '5 minutes' where partner_id = ?",
                recent);
        assertEquals(2, pending(abandoned));

        assertTrue(purge.purge() >= 2);

        assertEquals(0, pending(abandoned));
        assertEquals(1, pending(recent), "kept for the retention after it expired (a late callback says 'expired')");
        assertEquals(1, pending(live));
    }
}
