package dev.oauthgw.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.grant.GrantState;

/**
 * The rules that keep a stale entry from being served (docs/adr/0014-sealed-token-cache.md), on the cache alone:
 * a database read that raced an announcement is never stored, the newer version of a grant wins, nothing is
 * served while the listener is not listening, and everything cached before it listened again is gone.
 */
class TokenCacheTest {

    private static final UUID GRANT = UUID.randomUUID();
    private final AtomicLong nanos = new AtomicLong();
    private TokenCache cache;

    @BeforeEach
    void listening() {
        cache = new TokenCache(true, 100, Duration.ofMinutes(10), nanos::get);
        cache.resume();
    }

    private static CachedGrant v(long version) {
        return v("p1", GRANT, version, GrantState.ACTIVE);
    }

    private static CachedGrant v(String partner, UUID grant, long version, GrantState state) {
        return new CachedGrant(grant, partner, state, Instant.EPOCH, new Sealed(new byte[] { 1, 2, 3 }, 7),
                Instant.EPOCH.plusSeconds(3600), "scope", 3600L, version);
    }

    private Optional<Long> served(String partner) {
        return cache.get(partner).map(CachedGrant::version);
    }

    @Test
    void a_read_that_raced_an_announcement_is_not_stored() {
        TokenCache.Ticket t = cache.ticket("p1"); // the read starts ...
        CachedGrant read = v(5); // ... and sees version 5
        cache.changed("p1", GRANT, 6, false); // version 6 commits and is announced before the read is stored
        assertFalse(cache.put(t, read));
        assertEquals(Optional.empty(), served("p1"));
        assertEquals(1, cache.refusedStores());
    }

    @Test
    void a_read_stored_before_the_announcement_of_a_later_version_is_evicted_by_it() {
        TokenCache.Ticket t = cache.ticket("p1");
        assertTrue(cache.put(t, v(5)));
        assertEquals(Optional.of(5L), served("p1"));
        cache.changed("p1", GRANT, 6, false);
        assertEquals(Optional.empty(), served("p1"));
    }

    @Test
    void an_entry_that_already_holds_the_announced_version_stays() {
        assertTrue(cache.put(cache.ticket("p1"), v(6)));
        cache.changed("p1", GRANT, 6, false);
        assertEquals(Optional.of(6L), served("p1"));
        cache.changed("p1", UUID.randomUUID(), 9, false); // another grant of the partner: a new grant replaced it
        assertEquals(Optional.empty(), served("p1"));
        assertTrue(cache.put(cache.ticket("p1"), v(9)));
        cache.changed("p1", GRANT, 9, true); // deleted
        assertEquals(Optional.empty(), served("p1"));
    }

    @Test
    void of_two_racing_reads_the_newer_version_stays() {
        TokenCache.Ticket first = cache.ticket("p1");
        TokenCache.Ticket second = cache.ticket("p1");
        assertTrue(cache.put(second, v(6)));
        assertFalse(cache.put(first, v(5)));
        assertEquals(Optional.of(6L), served("p1"));
    }

    @Test
    void another_partners_change_does_not_stop_a_store_of_this_one_unless_they_share_a_stripe() {
        TokenCache.Ticket t = cache.ticket("p1");
        // a partner in another stripe (the stripe is a hash of the id: find one)
        String other = "q0";
        for (int i = 0; stripeOf(other) == stripeOf("p1"); i++) {
            other = "q" + i;
        }
        cache.changed(other, UUID.randomUUID(), 1, false);
        assertTrue(cache.put(t, v(5)));
    }

    private int stripeOf(String partner) {
        return cache.ticket(partner).stripe();
    }

    @Test
    void forget_evicts_and_refuses_reads_in_flight() {
        assertTrue(cache.put(cache.ticket("p1"), v(5)));
        TokenCache.Ticket inFlight = cache.ticket("p1");
        cache.forget("p1");
        assertEquals(Optional.empty(), served("p1"));
        assertFalse(cache.put(inFlight, v(5)));
    }

    @Test
    void nothing_is_served_or_stored_while_not_listening_and_listening_again_starts_empty() {
        assertTrue(cache.put(cache.ticket("p1"), v(5)));
        TokenCache.Ticket beforeTheDrop = cache.ticket("p2");
        cache.suspend();
        assertFalse(cache.serving());
        assertEquals(Optional.empty(), served("p1"));
        assertEquals(1, cache.bypassed());
        assertFalse(cache.put(cache.ticket("p1"), v(6)));
        cache.resume();
        assertTrue(cache.serving());
        assertEquals(Optional.empty(), served("p1"), "what was cached before the drop is gone");
        // a read that started before the drop (when changes may have gone unannounced) is not stored after it
        assertFalse(cache.put(beforeTheDrop, v("p2", UUID.randomUUID(), 1, GrantState.ACTIVE)));
        assertTrue(cache.put(cache.ticket("p2"), v("p2", UUID.randomUUID(), 1, GrantState.ACTIVE)));
    }

    @Test
    void a_read_that_raced_a_flush_is_not_stored() {
        TokenCache.Ticket t = cache.ticket("p1");
        cache.flush();
        assertFalse(cache.put(t, v(5)));
    }

    @Test
    void a_cache_that_is_off_never_serves() {
        TokenCache off = new TokenCache(false, 100, Duration.ofMinutes(10), nanos::get);
        off.resume();
        assertFalse(off.serving());
        assertFalse(off.put(off.ticket("p1"), v(5)));
        assertEquals(Optional.empty(), off.get("p1"));
    }

    @Test
    void entries_expire_after_the_ttl_and_the_bound_holds() {
        assertTrue(cache.put(cache.ticket("p1"), v(5)));
        nanos.addAndGet(Duration.ofMinutes(10).plusSeconds(1).toNanos());
        assertEquals(Optional.empty(), served("p1"));
        TokenCache small = new TokenCache(true, 10, Duration.ofMinutes(10), nanos::get);
        small.resume();
        for (int i = 0; i < 100; i++) {
            small.put(small.ticket("p" + i), v("p" + i, UUID.randomUUID(), 1, GrantState.ACTIVE));
        }
        small.cleanUp();
        assertTrue(small.size() <= 10, small.size() + " entries");
    }

    @Test
    void a_read_of_another_partner_is_never_stored_under_this_one() {
        assertFalse(cache.put(cache.ticket("p1"), v("p2", GRANT, 1, GrantState.ACTIVE)));
    }

    @Test
    void announcements_parse_as_the_trigger_writes_them() {
        UUID g = UUID.randomUUID();
        assertEquals(Optional.of(new GrantChangeListener.Change("a:b c", g, 12, false)),
                GrantChangeListener.Change.parse("UPDATE:12:" + g + ":a:b c"));
        assertEquals(Optional.of(new GrantChangeListener.Change("p", g, 0, true)),
                GrantChangeListener.Change.parse("DELETE:0:" + g + ":p"));
        assertEquals(Optional.empty(), GrantChangeListener.Change.parse("UPDATE:x:" + g + ":p"));
        assertEquals(Optional.empty(), GrantChangeListener.Change.parse("UPDATE:1:" + g + ":"));
        assertEquals(Optional.empty(), GrantChangeListener.Change.parse("nonsense"));
        assertEquals(Optional.empty(), GrantChangeListener.Change.parse(null));
    }
}
