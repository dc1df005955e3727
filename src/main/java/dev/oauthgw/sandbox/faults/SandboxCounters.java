package dev.oauthgw.sandbox.faults;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;

/**
 * What the sandbox saw, for assertions in tests and the control API: written by the authorization server
 * and the partner API as they answer. Thread-safe; counters are monotonic until {@link #reset()}.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxCounters {

    /** The sandbox endpoints whose calls are counted. */
    public enum Endpoint {
        AUTHORIZE, DECISION, TOKEN, REVOKE, COMPANIES,
        /** every call of the partner API (/sandbox/v1/... but the token endpoint), whatever its answer */
        PARTNER_API
    }

    private final Map<Long, LongAdder> partnerApiByWindow = new ConcurrentHashMap<>();
    private final LongAdder largeResponseBytes = new LongAdder();
    private final java.util.concurrent.atomic.AtomicReference<Map<String, java.util.List<String>>> lastApiHeaders =
            new java.util.concurrent.atomic.AtomicReference<>(Map.of());

    /** One partner API call that reached the sandbox, counted in its (epoch-aligned) window. */
    public long partnerApiCall(java.time.Instant at, java.time.Duration window) {
        call(Endpoint.PARTNER_API);
        long w = Math.floorDiv(at.toEpochMilli(), window.toMillis());
        LongAdder a = partnerApiByWindow.computeIfAbsent(w, k -> new LongAdder());
        a.increment();
        return a.sum();
    }

    /** The most partner API calls the sandbox saw in one window (as counted by {@link #partnerApiCall}). */
    public long maxPartnerApiCallsInAWindow() {
        return partnerApiByWindow.values().stream().mapToLong(LongAdder::sum).max().orElse(0);
    }

    /** Bytes the large-response endpoint has produced so far (it produces them only as fast as they are taken). */
    public long largeResponseBytes() {
        return largeResponseBytes.sum();
    }

    public void largeResponseProduced(long bytes) {
        largeResponseBytes.add(bytes);
    }

    /** The headers of the last partner API call (the bearer token replaced by whether it was valid). */
    public Map<String, java.util.List<String>> lastApiHeaders() {
        return lastApiHeaders.get();
    }

    public void apiHeaders(Map<String, java.util.List<String>> headers) {
        lastApiHeaders.set(Map.copyOf(headers));
    }

    private final Map<Endpoint, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> tokenRequestsByGrantType = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refreshesByFamily = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refreshesByPartner = new ConcurrentHashMap<>();
    private final LongAdder rotations = new LongAdder();
    private final LongAdder reuseDetections = new LongAdder();
    private final LongAdder reusesWithinInterval = new LongAdder();
    private final LongAdder revokedFamilies = new LongAdder();
    private final LongAdder codeReplays = new LongAdder();
    private final LongAdder codesIssued = new LongAdder();
    private final LongAdder accessTokensIssued = new LongAdder();

    /** Calls of one endpoint, whatever their answer (faults included). */
    public long calls(Endpoint endpoint) {
        return get(calls.get(endpoint));
    }

    /** Token requests with this {@code grant_type} ({@code authorization_code}, {@code refresh_token}, ...). */
    public long tokenRequests(String grantType) {
        return get(tokenRequestsByGrantType.get(grantType));
    }

    /** Successful refresh-token grants (rotations) in one family. */
    public long refreshes(String familyId) {
        return get(refreshesByFamily.get(familyId));
    }

    /** Successful refresh-token grants (rotations) of one partner, all families. */
    public long refreshesForPartner(String partnerKey) {
        return get(refreshesByPartner.get(partnerKey));
    }

    /** Successful refresh-token grants (rotations), all families. */
    public long rotations() {
        return rotations.sum();
    }

    /** Presentations of an already-used refresh token outside the reuse interval. */
    public long reuseDetections() {
        return reuseDetections.sum();
    }

    /** Presentations of an already-used refresh token inside the reuse interval (tolerated). */
    public long reusesWithinInterval() {
        return reusesWithinInterval.sum();
    }

    /** Families revoked, for any reason (reuse, code replay, revocation endpoint, partner revoked). */
    public long revokedFamilies() {
        return revokedFamilies.sum();
    }

    /** Authorization codes presented again after their first exchange. */
    public long codeReplays() {
        return codeReplays.sum();
    }

    public long codesIssued() {
        return codesIssued.sum();
    }

    public long accessTokensIssued() {
        return accessTokensIssued.sum();
    }

    /** Every counter to zero. */
    public void reset() {
        calls.clear();
        partnerApiByWindow.clear();
        largeResponseBytes.reset();
        lastApiHeaders.set(Map.of());
        tokenRequestsByGrantType.clear();
        refreshesByFamily.clear();
        refreshesByPartner.clear();
        rotations.reset();
        reuseDetections.reset();
        reusesWithinInterval.reset();
        revokedFamilies.reset();
        codeReplays.reset();
        codesIssued.reset();
        accessTokensIssued.reset();
    }

    /** All counters as a JSON-friendly map (the per-family counts are left out: use {@link #refreshes}). */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Long> byEndpoint = new LinkedHashMap<>();
        for (Endpoint e : Endpoint.values()) {
            byEndpoint.put(e.name().toLowerCase(java.util.Locale.ROOT), calls(e));
        }
        m.put("calls", byEndpoint);
        m.put("token_requests", sums(tokenRequestsByGrantType));
        m.put("refreshes_by_partner", sums(refreshesByPartner));
        m.put("rotations", rotations());
        m.put("reuse_detections", reuseDetections());
        m.put("reuses_within_interval", reusesWithinInterval());
        m.put("revoked_families", revokedFamilies());
        m.put("code_replays", codeReplays());
        m.put("codes_issued", codesIssued());
        m.put("access_tokens_issued", accessTokensIssued());
        return m;
    }

    // --- written by the sandbox's endpoints -------------------------------------------------------

    public void call(Endpoint endpoint) {
        calls.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
    }

    public void tokenRequest(String grantType) {
        tokenRequestsByGrantType.computeIfAbsent(grantType, k -> new LongAdder()).increment();
    }

    public void rotation(String familyId, String partnerKey) {
        rotations.increment();
        refreshesByFamily.computeIfAbsent(familyId, k -> new LongAdder()).increment();
        if (partnerKey != null) {
            refreshesByPartner.computeIfAbsent(partnerKey, k -> new LongAdder()).increment();
        }
    }

    public void reuseDetected() {
        reuseDetections.increment();
    }

    public void reuseWithinInterval() {
        reusesWithinInterval.increment();
    }

    public void familyRevoked() {
        revokedFamilies.increment();
    }

    public void codeReplayed() {
        codeReplays.increment();
    }

    public void codeIssued() {
        codesIssued.increment();
    }

    public void accessTokenIssued() {
        accessTokensIssued.increment();
    }

    private static long get(LongAdder a) {
        return a == null ? 0 : a.sum();
    }

    private static Map<String, Long> sums(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
