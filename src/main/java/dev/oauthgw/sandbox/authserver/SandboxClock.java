package dev.oauthgw.sandbox.authserver;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;

/**
 * The authorization server's time: consent pages, codes, access tokens and refresh-token families expire
 * by it. Tests move it forward instead of waiting; {@link #reset()} goes back to the system clock.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxClock {

    private volatile Clock clock = Clock.systemUTC();

    public Instant now() {
        return clock.instant();
    }

    /** Moves the sandbox's time forward. */
    public void advance(Duration by) {
        clock = Clock.offset(clock, by);
    }

    /** Replaces the sandbox's clock, e.g. with {@link Clock#fixed}. */
    public void use(Clock clock) {
        this.clock = clock;
    }

    /** Back to the system clock. */
    public void reset() {
        clock = Clock.systemUTC();
    }
}
