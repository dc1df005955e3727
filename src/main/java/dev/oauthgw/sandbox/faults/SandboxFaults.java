package dev.oauthgw.sandbox.faults;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;

/**
 * Switches that make the sandbox token endpoint misbehave, for tests of the gateway's error handling.
 * Thread-safe; a "times" of {@link #UNTIL_CLEARED} keeps a switch on until it is cleared.
 * <p>
 * Order in the token endpoint: delay (slept outside any lock) → server error → rate limit → request
 * parsing → rejected client → invalid_grant for a partner's refresh tokens.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxFaults {

    /** Pass as {@code times} to keep a switch on until it is cleared. */
    public static final int UNTIL_CLEARED = -1;

    private final AtomicInteger serverErrorsLeft = new AtomicInteger();
    private volatile int serverErrorStatus = 503;
    private final AtomicInteger rateLimitsLeft = new AtomicInteger();
    private volatile int retryAfterSeconds = 30;
    private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
    private final Set<String> invalidGrantPartners = ConcurrentHashMap.newKeySet();
    private final Set<String> rejectedClients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger oddAnswersLeft = new AtomicInteger();
    private volatile OddAnswer oddAnswer = OddAnswer.NO_EXPIRY;

    /**
     * A 2xx token answer that issues (and rotates) real tokens but is unusable in one way, as a buggy or changed
     * provider might send it.
     */
    public enum OddAnswer {
        /** neither {@code expires_in} nor {@code expires_at} */
        NO_EXPIRY,
        /** {@code token_type} other than Bearer */
        TOKEN_TYPE,
        /** an {@code expires_in} too large for any date */
        HUGE_EXPIRES_IN,
        /** a scope of 5,000 characters */
        LONG_SCOPE,
        /** {@code expires_in} in milliseconds by mistake (86,400,000 for a day), no {@code expires_at} */
        EXPIRES_IN_MILLISECONDS,
        /** {@code expires_in: 0}, no {@code expires_at} */
        ZERO_EXPIRES_IN,
        /** {@code expires_in: -3600}, no {@code expires_at} */
        NEGATIVE_EXPIRES_IN,
        /** an access token with CR LF and a header line after it (it would split the proxy's Authorization header) */
        CRLF_IN_ACCESS_TOKEN,
        /** an access token of 17 KiB (b64token characters, but over the 16 KiB the gateway keeps) */
        OVERSIZE_ACCESS_TOKEN,
        /** no {@code token_type} at all (RFC 6749 requires it) */
        NO_TOKEN_TYPE
    }

    /** The next {@code times} successful token answers come back mangled as {@code kind}. */
    public void oddAnswers(OddAnswer kind, int times) {
        oddAnswer = kind;
        oddAnswersLeft.set(checkTimes(times));
    }

    /** Consumes one planned odd answer, if any. */
    public Optional<OddAnswer> takeOddAnswer() {
        return take(oddAnswersLeft) ? Optional.of(oddAnswer) : Optional.empty();
    }

    /** The next {@code times} token calls (or all, with {@link #UNTIL_CLEARED}) answer {@code status} (500-599). */
    public void failTokenEndpoint(int status, int times) {
        if (status < 500 || status > 599) {
            throw new IllegalArgumentException("status must be 500-599");
        }
        serverErrorStatus = status;
        serverErrorsLeft.set(checkTimes(times));
    }

    public void clearTokenEndpointFailures() {
        serverErrorsLeft.set(0);
    }

    /** The next {@code times} token calls answer 429 {@code too_many_requests} with {@code Retry-After}. */
    public void rateLimitTokenEndpoint(int retryAfterSeconds, int times) {
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must be >= 0");
        }
        this.retryAfterSeconds = retryAfterSeconds;
        rateLimitsLeft.set(checkTimes(times));
    }

    public void clearRateLimit() {
        rateLimitsLeft.set(0);
    }

    /** Every token call waits this long before it is handled; {@link Duration#ZERO} switches it off. */
    public void slowTokenEndpoint(Duration delay) {
        if (delay == null || delay.isNegative() || delay.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("delay must be between 0 and 5 minutes");
        }
        this.delay.set(delay);
    }

    /** Refresh-token grants of this partner answer 403 invalid_grant (without changing any state). */
    public void invalidGrantForPartner(String partnerKey) {
        invalidGrantPartners.add(partnerKey);
    }

    public void clearInvalidGrantForPartner(String partnerKey) {
        invalidGrantPartners.remove(partnerKey);
    }

    /** Token and revocation calls of this client answer 401 invalid_client until cleared. */
    public void rejectClient(String clientId) {
        rejectedClients.add(clientId);
    }

    public void clearRejectedClient(String clientId) {
        rejectedClients.remove(clientId);
    }

    // --- the partner API (/sandbox/v1/...) ----------------------------------------------------------

    private final AtomicInteger apiUnauthorizedLeft = new AtomicInteger();
    private final AtomicInteger apiRateLimitsLeft = new AtomicInteger();
    private volatile int apiRetryAfterSeconds = 30;
    private volatile int apiLimitPerWindow;
    private volatile Duration apiWindow = Duration.ofMinutes(1);

    /** The next {@code times} partner API calls answer 401, whatever their token (as for a token revoked there). */
    public void unauthorizedPartnerApi(int times) {
        apiUnauthorizedLeft.set(checkTimes(times));
    }

    /** The next {@code times} partner API calls answer 429 with {@code Retry-After}. */
    public void rateLimitPartnerApi(int retryAfterSeconds, int times) {
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must be >= 0");
        }
        this.apiRetryAfterSeconds = retryAfterSeconds;
        apiRateLimitsLeft.set(checkTimes(times));
    }

    /**
     * Pax8's rate limit: more than {@code perWindow} partner API calls in one window (epoch-aligned) answer 429 with
     * Retry-After until the window ends; 0 switches it off (the default).
     */
    public void limitPartnerApi(int perWindow, Duration window) {
        if (perWindow < 0 || window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("perWindow must be >= 0 and window positive");
        }
        this.apiLimitPerWindow = perWindow;
        this.apiWindow = window;
    }

    public Optional<Integer> takePartnerApiUnauthorized() {
        return take(apiUnauthorizedLeft) ? Optional.of(401) : Optional.empty();
    }

    public Optional<Integer> takePartnerApiRateLimit() {
        return take(apiRateLimitsLeft) ? Optional.of(apiRetryAfterSeconds) : Optional.empty();
    }

    /** The partner API's limit per window (0: none) and the window. */
    public int partnerApiLimit() {
        return apiLimitPerWindow;
    }

    public Duration partnerApiWindow() {
        return apiWindow;
    }

    // --- a stall mid-answer (answered by SandboxStalledTokenAnswers on the event loop, before the resource) ---------

    private final AtomicInteger stallsLeft = new AtomicInteger();
    private volatile Duration stallSilence = Duration.ofSeconds(30);
    private final AtomicInteger stallsServed = new AtomicInteger();

    /**
     * The next {@code times} token calls are answered 200 with a Content-Length and the first bytes of a JSON body,
     * then nothing for {@code silence}, after which the connection is closed. The request is not handled: nothing is
     * issued and no refresh token is rotated (as when a load balancer or TLS terminator in front of the token
     * endpoint hangs).
     */
    public void stallTokenAnswers(Duration silence, int times) {
        if (silence == null || silence.isNegative() || silence.isZero() || silence.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("silence must be more than 0 and at most 5 minutes");
        }
        stallSilence = silence;
        stallsLeft.set(checkTimes(times));
    }

    public void clearStalls() {
        stallsLeft.set(0);
    }

    /** Consumes one planned stall, if any: how long to stay silent. */
    public Optional<Duration> takeStall() {
        if (!take(stallsLeft)) {
            return Optional.empty();
        }
        stallsServed.incrementAndGet();
        return Optional.of(stallSilence);
    }

    /** How many token calls were stalled since start. */
    public int stallsServed() {
        return stallsServed.get();
    }

    /** Every switch off. */
    public void reset() {
        stallsLeft.set(0);
        stallSilence = Duration.ofSeconds(30);
        apiUnauthorizedLeft.set(0);
        apiRateLimitsLeft.set(0);
        apiRetryAfterSeconds = 30;
        apiLimitPerWindow = 0;
        apiWindow = Duration.ofMinutes(1);
        serverErrorsLeft.set(0);
        serverErrorStatus = 503;
        rateLimitsLeft.set(0);
        retryAfterSeconds = 30;
        delay.set(Duration.ZERO);
        invalidGrantPartners.clear();
        rejectedClients.clear();
        oddAnswersLeft.set(0);
    }

    // --- read by the token endpoint ---------------------------------------------------------------

    public Duration delay() {
        return delay.get();
    }

    /** Consumes one planned server error, if any: the status to answer. */
    public Optional<Integer> takeServerError() {
        return take(serverErrorsLeft) ? Optional.of(serverErrorStatus) : Optional.empty();
    }

    /** Consumes one planned rate-limit answer, if any: the Retry-After seconds. */
    public Optional<Integer> takeRateLimit() {
        return take(rateLimitsLeft) ? Optional.of(retryAfterSeconds) : Optional.empty();
    }

    public boolean isInvalidGrantPartner(String partnerKey) {
        return partnerKey != null && invalidGrantPartners.contains(partnerKey);
    }

    public boolean isRejectedClient(String clientId) {
        return clientId != null && rejectedClients.contains(clientId);
    }

    /** A view of the switches for the control API. */
    public Snapshot snapshot() {
        return new Snapshot(serverErrorsLeft.get(), serverErrorStatus, rateLimitsLeft.get(), retryAfterSeconds,
                delay.get().toMillis(), Set.copyOf(invalidGrantPartners), Set.copyOf(rejectedClients));
    }

    public record Snapshot(int serverErrorsLeft, int serverErrorStatus, int rateLimitsLeft, int retryAfterSeconds,
            long delayMillis, Set<String> invalidGrantPartners, Set<String> rejectedClients) {
    }

    private static int checkTimes(int times) {
        if (times == 0 || times < UNTIL_CLEARED) {
            throw new IllegalArgumentException("times must be > 0, or UNTIL_CLEARED (-1)");
        }
        return times;
    }

    /** Atomically takes one from a positive budget; a negative budget never runs out. */
    private static boolean take(AtomicInteger left) {
        int before = left.getAndUpdate(n -> n > 0 ? n - 1 : n);
        return before != 0;
    }
}
