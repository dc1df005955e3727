package dev.oauthgw.tokens;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import dev.oauthgw.grant.GrantChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

/**
 * This replica's cache of {@link CachedGrant}s by partner: the sealed access token and what GET /tokens decides
 * with, never a plaintext token (docs/adr/0014-sealed-token-cache.md). Bounded by entries
 * ({@code gateway.tokens.cache.max-entries}), each entry dropped after {@code gateway.tokens.cache.ttl} at the
 * latest as a safety net; what keeps it right is {@link GrantChangeListener}: every committed change of a grant
 * (a database trigger NOTIFYs it) evicts the partner's entry here.
 * <p>
 * Rules that make a stale entry impossible to serve:
 * <ul>
 * <li>Nothing is served or stored while the listener is not listening or does not hear its heartbeat
 * ({@link #suspend()}); it is served again only after the listener has LISTENed anew, heard its heartbeat and the
 * whole cache was dropped ({@link #resume()}).</li>
 * <li>A read from the database takes a {@link Ticket} before it reads. Its result is stored only if no change of
 * that partner (nor a flush) was announced since the ticket was taken, checked atomically with the store: a read
 * that raced a notification never puts back what the notification evicted. Announcements are counted per stripe
 * of partners (a hash), so an unrelated partner's change only rarely costs a store, and never correctness.</li>
 * <li>Of two reads of one grant, the one with the higher version stays.</li>
 * </ul>
 */
@ApplicationScoped
public class TokenCache {

    private static final int STRIPES = 4096;

    /** Taken before reading the database; {@link #put} stores only what no later announcement made stale. */
    public record Ticket(String partnerId, long epoch, int stripe, long generation) {
    }

    private final boolean enabled;
    private final Cache<String, CachedGrant> cache;
    private final AtomicLongArray generations = new AtomicLongArray(STRIPES);
    private final AtomicLong epoch = new AtomicLong();
    private volatile boolean listening;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder bypassed = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder refusedStores = new LongAdder();
    private final LongAdder flushes = new LongAdder();

    @Inject
    public TokenCache(TokensConfig config) {
        this(config.cache().enabled(), config.cache().maxEntries(), config.cache().ttl(), Ticker.systemTicker());
    }

    TokenCache(boolean enabled, long maxEntries, Duration ttl, Ticker ticker) {
        this.enabled = enabled;
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).ticker(ticker).recordStats()
                .build();
    }

    public boolean enabled() {
        return enabled;
    }

    /** Whether entries are served: the cache is on and its listener is listening. */
    public boolean serving() {
        return enabled && listening;
    }

    /** The partner's entry, when the cache is serving and holds one. Never blocks. */
    public Optional<CachedGrant> get(String partnerId) {
        if (!serving()) {
            bypassed.increment();
            return Optional.empty();
        }
        CachedGrant g = cache.getIfPresent(partnerId);
        if (g == null) {
            misses.increment();
            return Optional.empty();
        }
        hits.increment();
        return Optional.of(g);
    }

    /** Take before reading the partner's grant from the database. */
    public Ticket ticket(String partnerId) {
        int stripe = stripe(partnerId);
        // the epoch first: a flush bumps it before dropping entries, so a ticket never pairs an old epoch with a
        // generation read after a flush it should have seen
        long e = epoch.get();
        return new Ticket(partnerId, e, stripe, generations.get(stripe));
    }

    /**
     * Stores what the database read under {@code ticket} returned, unless a change of that partner or a flush was
     * announced since the ticket was taken, or the cache holds a newer version of the same grant.
     *
     * @return whether it was stored
     */
    public boolean put(Ticket ticket, CachedGrant read) {
        if (!serving() || !ticket.partnerId().equals(read.partnerId())) {
            return false;
        }
        boolean[] stored = { false };
        // compute() holds the key's lock: an announcement (generation bump, then eviction under the same lock)
        // either happened before the check, and the read is refused, or its eviction comes after the store
        cache.asMap().compute(read.partnerId(), (k, old) -> {
            if (!listening || epoch.get() != ticket.epoch()
                    || generations.get(ticket.stripe()) != ticket.generation()) {
                return old;
            }
            if (old != null && old.grantId().equals(read.grantId()) && old.version() > read.version()) {
                return old;
            }
            stored[0] = true;
            return read;
        });
        if (!stored[0]) {
            refusedStores.increment();
        }
        return stored[0];
    }

    /**
     * A committed change of the partner's grant was announced (a new grant, an update, a deletion). Drops the
     * partner's entry, unless it already holds that version (or a later one) of the same grant.
     */
    public void changed(String partnerId, UUID grantId, long version, boolean deleted) {
        generations.incrementAndGet(stripe(partnerId)); // before the eviction: refuses reads taken before it
        invalidations.increment();
        cache.asMap().computeIfPresent(partnerId, (k, old) -> !deleted && old.grantId().equals(grantId)
                && old.version() >= version ? old : null);
    }

    /**
     * This replica's own committed changes (the lifecycle's) evict at once, before the changing request answers:
     * a caller that disconnected a partner here never gets its token from here again, even before the
     * announcement arrives. Other replicas learn it from the announcement.
     */
    void committed(@Observes(during = TransactionPhase.AFTER_SUCCESS) GrantChanged c) {
        forget(c.partnerId());
    }

    /** Drops the partner's entry and refuses every read of it still in flight. */
    public void forget(String partnerId) {
        generations.incrementAndGet(stripe(partnerId));
        cache.invalidate(partnerId);
    }

    /** The listener stopped listening: nothing is served or stored until {@link #resume()}. */
    public void suspend() {
        listening = false;
        flush();
    }

    /** The listener listens (again): everything cached before is dropped, then entries are served and stored. */
    public void resume() {
        flush();
        listening = true;
    }

    /** Drops every entry and refuses every read still in flight. */
    public void flush() {
        epoch.incrementAndGet();
        cache.invalidateAll();
        flushes.increment();
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    /** Lookups that went to the database because the cache was off or not listening. */
    public long bypassed() {
        return bypassed.sum();
    }

    /** Announced changes received. */
    public long invalidations() {
        return invalidations.sum();
    }

    /** Reads not stored because a change or a flush was announced while they read. */
    public long refusedStores() {
        return refusedStores.sum();
    }

    /** Entries dropped to stay within the bound or after the ttl. */
    public long evictions() {
        return cache.stats().evictionCount();
    }

    public long flushes() {
        return flushes.sum();
    }

    public long size() {
        return cache.estimatedSize();
    }

    /** Runs pending evictions now (tests). */
    void cleanUp() {
        cache.cleanUp();
    }

    private static int stripe(String partnerId) {
        int h = partnerId.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }
}
