package dev.oauthgw.sandbox.authserver;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.oauthgw.sandbox.SandboxConfig;
import dev.oauthgw.sandbox.SandboxTokens;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * Authorization requests that passed validation and wait on a consent page for the partner admin's
 * decision, by an opaque id (the only thing the consent form carries). Each lives
 * {@link SandboxConfig#consentLifetime()} and can be answered once.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class ConsentRequests {

    private static final int PRUNE_THRESHOLD = 1_000;

    /** An authorization request that passed validation and waits for the partner admin's decision. */
    record AuthorizationRequest(String clientId, String redirectUri, String scope, String audience, String state,
            String codeChallenge) {
    }

    private record Pending(AuthorizationRequest request, Instant expiresAt) {
    }

    @Inject
    SandboxConfig config;

    @Inject
    SandboxClock clock;

    // guarded by this
    private final Map<String, Pending> pending = new HashMap<>();

    /** Keeps the request server-side and answers the opaque id the consent form carries. */
    String start(AuthorizationRequest request) {
        String id = SandboxTokens.random(24);
        Instant now = clock.now();
        synchronized (this) {
            prune(now);
            pending.put(id, new Pending(request, now.plus(config.consentLifetime())));
        }
        return id;
    }

    /** Looks at a waiting request without using it up (to render the consent page again). */
    synchronized Optional<AuthorizationRequest> peek(String requestId) {
        Pending p = requestId == null ? null : pending.get(requestId);
        return live(p);
    }

    /** Uses up a waiting request: a second decision on the same page finds nothing. */
    synchronized Optional<AuthorizationRequest> take(String requestId) {
        Pending p = requestId == null ? null : pending.remove(requestId);
        return live(p);
    }

    /** Forgets every waiting request. */
    public synchronized void reset() {
        pending.clear();
    }

    private Optional<AuthorizationRequest> live(Pending p) {
        return p == null || !clock.now().isBefore(p.expiresAt) ? Optional.empty() : Optional.of(p.request);
    }

    /** Drops expired requests once the map grows (dev mode runs long). */
    private void prune(Instant now) {
        if (pending.size() > PRUNE_THRESHOLD) {
            pending.values().removeIf(p -> !now.isBefore(p.expiresAt));
        }
    }
}
