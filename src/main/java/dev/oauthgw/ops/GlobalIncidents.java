package dev.oauthgw.ops;

import java.time.Instant;
import java.util.Optional;

/**
 * Hook for the refresher's "global incident" (the provider rejects the vendor's own client credentials,
 * so every grant is at risk). The refresh package implements it as a bean; until one exists the
 * dashboard's incident tile shows nothing and the {@code gateway_global_incident} gauge reads 0.
 */
public interface GlobalIncidents {

    /** The incident in progress, if any. */
    Optional<Incident> current();

    record Incident(String reason, Instant since) {
    }
}
