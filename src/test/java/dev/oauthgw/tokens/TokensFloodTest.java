package dev.oauthgw.tokens;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.refresh.RateBudget;
import dev.oauthgw.sandbox.authserver.SandboxTokenPolicy;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.GrantFactory.Made;
import dev.oauthgw.testing.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * No caller can turn GET /tokens into a flood of provider calls: an inline refresh at most once per grant per
 * cooldown, a min_valid the provider cannot give is a 400, the default adapts to short-lived tokens, concurrent
 * callers share one refresh, and inline refreshes have their own share of the provider budget.
 */
@QuarkusTest
class TokensFloodTest {

    @Inject
    GrantFactory factory;
    @Inject
    SandboxTokenPolicy sandboxTokenPolicy;
    @Inject
    SandboxCounters sandboxCounters;
    @Inject
    RateBudget budget;
    @Inject
    Db db;

    private final List<Made> made = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        sandboxTokenPolicy.overrideTokenLifetime(null);
        budget.overrideLimit(null);
        db.update("delete from provider_rate_budget");
        for (Made m : made) {
            db.update("update partner_grant set state = 'REVOKED', refresh_due_at = null where id = ?", m.grantId());
        }
        made.clear();
    }

    /** A grant whose provider hands out tokens that live {@code lifetime}. */
    private Made shortLived(String prefix, Duration lifetime) {
        sandboxTokenPolicy.overrideTokenLifetime(lifetime);
        Made m = factory.create(prefix);
        made.add(m);
        return m;
    }

    /**
     * Moves the stored access token's expiry to {@code seconds} from now, as if that much of its life had passed (the
     * gateway decides on the stored expiry; the provider's token is not checked here), instead of waiting for it.
     */
    private void leftOfStoredToken(Made m, int seconds) {
        db.update("update partner_grant set access_expires_at = now() + make_interval(secs => ?) where id = ?", seconds,
                m.grantId());
    }

    private static Response get(String partner, String minValid) {
        var req = given().auth().oauth2(TestJwt.withRoles("flooder", TokensResource.ROLE));
        if (minValid != null) {
            req = req.queryParam("min_valid", minValid);
        }
        return req.get("/tokens/" + partner);
    }

    @Test
    void a_hostile_loop_causes_at_most_one_provider_call_per_grant_per_cooldown() throws Exception {
        Made m = shortLived("flood", Duration.ofSeconds(20)); // the most that can be served: 18 s
        leftOfStoredToken(m, 17); // less than 18 s: every request below wants a refresh
        long before = sandboxCounters.refreshesForPartner(m.sandboxKey());
        long started = System.nanoTime();
        Map<Integer, Integer> statuses = new HashMap<>();
        // 200 requests, or as many as fit into 8 s on a busy machine: the refreshed token (20 s) falls below 18 s after
        // 2 s and is still valid at the end, so every 503 can say what is stored
        long stopAt = started + Duration.ofSeconds(8).toNanos();
        for (int i = 0; i < 200 && System.nanoTime() < stopAt; i++) {
            Thread.sleep(25); // the hostile caller's pace: the behaviour under test, not a wait for a condition
            Response r = get(m.partnerId(), "PT18S");
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 503) {
                assertNotNull(r.jsonPath().getString("stored_token_expires_at"), r.asString());
            }
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        long calls = sandboxCounters.refreshesForPartner(m.sandboxKey()) - before;
        assertTrue(calls >= 1, "the first one may refresh");
        assertTrue(calls <= 1 + seconds / 60, calls + " provider refreshes in " + seconds + " s: " + statuses);
        assertTrue(statuses.getOrDefault(503, 0) > 0, "the others are told to wait: " + statuses);
        assertEquals(0, statuses.getOrDefault(500, 0));
    }

    @Test
    void a_min_valid_above_what_the_provider_gives_is_a_400_that_says_the_most_that_can_be_served() {
        Made m = shortLived("toomuch", Duration.ofSeconds(60));
        long before = sandboxCounters.refreshesForPartner(m.sandboxKey());
        Response r = get(m.partnerId(), "PT6H");
        assertEquals(400, r.statusCode(), r.asString());
        assertEquals("PT54S", r.jsonPath().getString("max_min_valid"));
        assertTrue(r.jsonPath().getString("detail").contains("PT54S"), r.asString());
        assertEquals(before, sandboxCounters.refreshesForPartner(m.sandboxKey()), "no provider call");
    }

    @Test
    void with_short_lived_tokens_the_default_adapts_and_concurrent_callers_share_one_refresh() throws Exception {
        Made m = shortLived("adapt", Duration.ofSeconds(60)); // below the default minimum of five minutes
        Response first = get(m.partnerId(), null);
        assertEquals(200, first.statusCode(), first.asString());
        // the lifetime is measured from the provider's answer to its storage: 60 s, a second or two less on a busy
        // machine; the minimum applied is that less a tenth (54 s for 60 s)
        long lifetime = db.count("select access_lifetime_seconds from partner_grant where id = ?", m.grantId());
        assertTrue(lifetime > 50 && lifetime <= 60, "lifetime " + lifetime);
        long applied = lifetime - Math.max(1, lifetime / 10);
        assertEquals("PT" + applied + "S", first.header(TokensResource.MIN_VALID_HEADER), "the minimum applied is said");
        assertTrue(first.jsonPath().getLong("expires_in") <= 60);
        long before = sandboxCounters.refreshesForPartner(m.sandboxKey());
        leftOfStoredToken(m, (int) applied - 4); // less than the minimum applied: the next callers want a refresh
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(() -> get(m.partnerId(), null).statusCode());
            }
            for (Future<Integer> f : pool.invokeAll(calls)) {
                assertEquals(200, f.get(), "the freshest token is served, never a 503 for the default");
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before + 1, sandboxCounters.refreshesForPartner(m.sandboxKey()), "20 callers, one refresh");
        // within the cooldown, plain calls keep getting the token they can have, without another refresh
        for (int i = 0; i < 20; i++) {
            assertEquals(200, get(m.partnerId(), null).statusCode());
        }
        assertEquals(before + 1, sandboxCounters.refreshesForPartner(m.sandboxKey()));
    }

    @Test
    void inline_refreshes_cannot_take_the_schedulers_share_of_the_budget() {
        budget.overrideLimit(10); // scheduler 8, inline 2
        String registration = "pax8";
        int inline = 0;
        while (budget.tryAcquire(registration, false)) {
            inline++;
        }
        assertEquals(2, inline);
        int scheduled = 0;
        while (budget.tryAcquire(registration, true)) {
            scheduled++;
        }
        assertEquals(8, scheduled, "the scheduler keeps its whole share after callers spent theirs");
        assertEquals(10, budget.usedThisMinute(registration));
    }
}
