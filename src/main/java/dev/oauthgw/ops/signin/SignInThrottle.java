package dev.oauthgw.ops.signin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts failed dashboard sign-ins per account and per client address in fixed windows, and says when a
 * key has failed too often: then the password is not checked at all (no bcrypt) until the window ends.
 * <p>
 * Memory is bounded: accounts are only the configured ones (an unknown user name is counted against the
 * address only), and at most {@code maxAddresses} addresses are remembered (least recently seen forgotten
 * first). The counts live in this replica's memory: with N replicas behind a load balancer an attacker gets
 * up to N times the limit, which still turns millions of guesses into a handful per window.
 */
final class SignInThrottle {

    private record Window(Instant start, int failures) {
    }

    private final int maxPerAccount;
    private final int maxPerAddress;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Window> accounts;
    private final Map<String, Window> addresses;

    SignInThrottle(int maxPerAccount, int maxPerAddress, Duration window, int maxAddresses, int maxAccounts,
            Clock clock) {
        this.maxPerAccount = maxPerAccount;
        this.maxPerAddress = maxPerAddress;
        this.window = window;
        this.clock = clock;
        this.accounts = lru(Math.max(1, maxAccounts));
        this.addresses = lru(Math.max(1, maxAddresses));
    }

    private static Map<String, Window> lru(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
                return size() > max;
            }
        };
    }

    /** How long to wait when the account (null: unknown) or the address has failed too often; empty: go ahead. */
    synchronized Optional<Duration> blocked(String account, String address) {
        Instant now = clock.instant();
        Duration wait = Duration.ZERO;
        if (account != null) {
            wait = max(wait, waitFor(accounts, account, maxPerAccount, now));
        }
        if (address != null) {
            wait = max(wait, waitFor(addresses, address, maxPerAddress, now));
        }
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    synchronized void failed(String account, String address) {
        Instant now = clock.instant();
        if (account != null) {
            count(accounts, account, now);
        }
        if (address != null) {
            count(addresses, address, now);
        }
    }

    /** A correct password clears the account's failures (not the address's: one good account must not reset a spray). */
    synchronized void succeeded(String account) {
        if (account != null) {
            accounts.remove(account);
        }
    }

    synchronized int trackedAddresses() {
        return addresses.size();
    }

    private Duration waitFor(Map<String, Window> map, String key, int max, Instant now) {
        Window w = map.get(key);
        if (w == null || w.failures() < max) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, w.start().plus(window));
        if (left.isNegative() || left.isZero()) {
            map.remove(key);
            return Duration.ZERO;
        }
        return left;
    }

    private void count(Map<String, Window> map, String key, Instant now) {
        Window w = map.get(key);
        if (w == null || !now.isBefore(w.start().plus(window))) {
            map.put(key, new Window(now, 1));
        } else {
            map.put(key, new Window(w.start(), w.failures() + 1));
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
