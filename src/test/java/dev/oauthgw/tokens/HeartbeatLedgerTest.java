package dev.oauthgw.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/**
 * The heartbeat's rules on the ledger alone, with a clock moved by hand: the cache may serve only while the newest
 * ping its listener heard was sent within the bound, since the listener last LISTENed.
 */
class HeartbeatLedgerTest {

    private static final long S = Duration.ofSeconds(1).toNanos();
    private static final long BOUND = 10 * S;

    private final HeartbeatLedger ledger = new HeartbeatLedger();

    @Test
    void nothing_heard_since_listen_is_not_fresh() {
        assertFalse(ledger.fresh(0, BOUND));
        assertFalse(ledger.sending(1, 0), "no ping while the listener does not listen: it would prove nothing");
        ledger.listening(0);
        assertFalse(ledger.fresh(0, BOUND), "LISTEN alone proves nothing");
        assertTrue(ledger.sending(2, 1 * S));
        assertFalse(ledger.fresh(2 * S, BOUND));
        assertEquals(OptionalLong.of(2 * S), ledger.heard(2, 3 * S));
        assertTrue(ledger.fresh(3 * S, BOUND));
    }

    @Test
    void fresh_until_the_newest_ping_heard_is_older_than_the_bound() {
        ledger.listening(0);
        ledger.sending(1, 0);
        ledger.heard(1, S / 10);
        ledger.sending(2, 3 * S); // sent, never heard: the notifications stopped arriving
        ledger.sending(3, 6 * S);
        assertTrue(ledger.fresh(10 * S, BOUND));
        assertFalse(ledger.fresh(10 * S + 1, BOUND), "ping 1 was sent at 0 and nothing newer was heard");
        assertEquals(2, ledger.unheard());
        assertEquals(10 * S + 1, ledger.age(10 * S + 1));
    }

    @Test
    void a_ping_heard_late_is_judged_by_when_it_was_sent() {
        ledger.listening(0);
        ledger.sending(1, 0);
        // the queue delivers 12 s late: the grant changes it carries are 12 s late too
        ledger.heard(1, 12 * S);
        assertFalse(ledger.fresh(12 * S, BOUND));
        assertEquals(12 * S, ledger.lastRoundTrip());
    }

    @Test
    void hearing_a_ping_settles_the_ones_before_it() {
        ledger.listening(0);
        ledger.sending(1, 0);
        ledger.sending(2, S);
        ledger.sending(3, 2 * S);
        ledger.heard(2, 2 * S);
        assertEquals(1, ledger.unheard(), "1 is lost or late; 3 is still on its way");
        assertEquals(OptionalLong.empty(), ledger.heard(1, 3 * S), "a late older ping changes nothing");
        assertEquals(S, ledger.age(2 * S));
    }

    @Test
    void a_new_listen_forgets_what_was_heard_and_sent_before() {
        ledger.listening(0);
        ledger.sending(1, 0);
        ledger.heard(1, S);
        assertTrue(ledger.fresh(S, BOUND));
        ledger.sending(2, 2 * S); // may commit before the next LISTEN: never delivered to it
        ledger.notListening();
        assertFalse(ledger.fresh(2 * S, BOUND));
        ledger.listening(3 * S);
        assertFalse(ledger.fresh(3 * S, BOUND), "the old connection's pings prove nothing about the new one");
        assertEquals(OptionalLong.empty(), ledger.heard(2, 4 * S));
        assertFalse(ledger.fresh(4 * S, BOUND));
        ledger.sending(3, 4 * S);
        ledger.heard(3, 4 * S + 1);
        assertTrue(ledger.fresh(5 * S, BOUND));
        assertEquals(4 * S + 1, ledger.lastHeardAt());
    }

    @Test
    void a_listener_that_hears_nothing_after_listen_is_deaf_once_the_bound_has_passed() {
        assertFalse(ledger.deafSinceListen(100 * S, BOUND), "not listening: not deaf, just down");
        ledger.listening(0);
        ledger.sending(1, 0);
        assertFalse(ledger.deafSinceListen(BOUND, BOUND));
        assertTrue(ledger.deafSinceListen(BOUND + 1, BOUND));
        ledger.heard(1, BOUND + 2);
        assertFalse(ledger.deafSinceListen(BOUND + 2, BOUND), "heard one: judged by fresh() from now on");
    }

    @Test
    void pings_never_heard_are_kept_up_to_a_bound() {
        ledger.listening(0);
        for (long i = 1; i <= 1000; i++) {
            ledger.sending(i, i * S);
        }
        assertEquals(HeartbeatLedger.MAX_UNHEARD, ledger.unheard());
        assertEquals(OptionalLong.empty(), ledger.heard(1, 1001 * S), "the oldest went first");
        assertEquals(OptionalLong.of(S), ledger.heard(1000, 1001 * S));
        assertTrue(ledger.fresh(1001 * S, BOUND));
    }
}
