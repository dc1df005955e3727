package dev.oauthgw.tokens;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What this replica knows of its own heartbeats (docs/adr/0014-sealed-token-cache.md, "Heartbeat"): which pings it
 * sent since its listener last LISTENed, and when the newest ping its listener heard had been sent. Times are the
 * caller's monotonic nanoseconds ({@link System#nanoTime()} in the application, a hand-moved clock in tests); no
 * clock is read here.
 * <p>
 * The cache may serve while the newest ping heard was sent at most the bound ago ({@link #fresh}). A ping's age is
 * counted from when it was sent, not when it was heard: a notification queue that delivers minutes late (and so
 * delivers grant changes minutes late) is as bad as one that delivers nothing.
 */
final class HeartbeatLedger {

    static final long NONE = Long.MIN_VALUE;
    /** Pings kept while none is heard; the oldest go first (they are the stalest, and newer ones judge as well). */
    static final int MAX_UNHEARD = 64;

    private final TreeMap<Long, Long> unheard = new TreeMap<>();
    private long listeningSince = NONE;
    private long lastHeardSentAt = NONE;
    private long lastHeardAt = NONE;
    private long lastRoundTrip = NONE;

    /**
     * The listener LISTENs (again) from {@code now} on. Pings sent before may have committed before the LISTEN and
     * are never delivered to it: they are forgotten, and the cache waits for a ping sent from now on.
     */
    synchronized void listening(long now) {
        listeningSince = now;
        unheard.clear();
        lastHeardSentAt = NONE;
    }

    /** The listener's connection is gone: no ping is worth sending until it LISTENs again. */
    synchronized void notListening() {
        listeningSince = NONE;
        unheard.clear();
        lastHeardSentAt = NONE;
    }

    /**
     * Ping {@code seq} is about to be sent at {@code now}.
     *
     * @return false when the listener is not listening (the ping would prove nothing: do not send it)
     */
    synchronized boolean sending(long seq, long now) {
        if (listeningSince == NONE) {
            return false;
        }
        unheard.put(seq, now);
        while (unheard.size() > MAX_UNHEARD) {
            unheard.pollFirstEntry();
        }
        return true;
    }

    /**
     * The listener heard this replica's ping {@code seq} at {@code now}.
     *
     * @return the ping's round trip (sent through the pool, heard by the listener) in nanoseconds; empty for a ping
     *         this ledger does not know (sent before the listener LISTENed again, or forgotten)
     */
    synchronized OptionalLong heard(long seq, long now) {
        Long sentAt = unheard.get(seq);
        if (sentAt == null) {
            return OptionalLong.empty();
        }
        // notifications arrive in commit order: the pings before this one were lost or are late, and this one
        // is the newer proof either way
        Map<Long, Long> upTo = unheard.headMap(seq, true);
        upTo.clear();
        if (lastHeardSentAt == NONE || sentAt > lastHeardSentAt) {
            lastHeardSentAt = sentAt;
        }
        lastHeardAt = now;
        lastRoundTrip = now - sentAt;
        return OptionalLong.of(lastRoundTrip);
    }

    /** Whether a ping sent after the last LISTEN was heard, and the newest one heard was sent within the bound. */
    synchronized boolean fresh(long now, long boundNanos) {
        return lastHeardSentAt != NONE && now - lastHeardSentAt <= boundNanos;
    }

    /** Whether the listener LISTENs for longer than the bound and has heard none of the pings sent since. */
    synchronized boolean deafSinceListen(long now, long boundNanos) {
        return listeningSince != NONE && lastHeardSentAt == NONE && now - listeningSince > boundNanos;
    }

    /** How long ago the newest ping heard (since the last LISTEN) was sent; {@link #NONE} when none was. */
    synchronized long age(long now) {
        return lastHeardSentAt == NONE ? NONE : now - lastHeardSentAt;
    }

    /** When the last ping was heard (any LISTEN); {@link #NONE} when never. */
    synchronized long lastHeardAt() {
        return lastHeardAt;
    }

    /** The last heard ping's round trip in nanoseconds; {@link #NONE} when never. */
    synchronized long lastRoundTrip() {
        return lastRoundTrip;
    }

    /** Pings sent since the last LISTEN and not heard (at most {@link #MAX_UNHEARD}). */
    synchronized int unheard() {
        return unheard.size();
    }
}
