package dev.oauthgw.sandbox;

import io.quarkus.arc.profile.IfBuildProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

/**
 * Announces every secret the sandbox hands out (codes, access, refresh and ID tokens) as a CDI event
 * {@link Secret}. Nothing in the product observes it; the test suite does, to check afterwards that none
 * of them reached the log. A no-op in dev mode.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxIssued {

    /** A secret the sandbox issued; {@code toString()} never prints it. */
    public record Secret(String kind, String value) {
        @Override
        public String toString() {
            return "Secret[" + kind + "]";
        }
    }

    private final Event<Secret> events;

    public SandboxIssued(Event<Secret> events) {
        this.events = events;
    }

    /** Announces {@code value} and returns it. */
    public String secret(String kind, String value) {
        if (value != null) {
            events.fire(new Secret(kind, value));
        }
        return value;
    }
}
