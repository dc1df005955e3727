package dev.oauthgw.tokens;

import java.time.Duration;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Readiness data on the token cache's listener: whether the cache serves, whether the listening connection is up,
 * when this replica last heard its own heartbeat, and why the cache is suspended. The check stays UP while the cache
 * is suspended: the replica then answers every GET /tokens from the database, correctly, and taking it out of the
 * load balancer would not help (a cause such as a pooler in transaction mode is shared by every replica). The alert
 * {@code GatewayTokenCacheSuspended} (deploy/prometheus/alerts.yml) tells an operator.
 */
@Readiness
@ApplicationScoped
public class TokenCacheHealthCheck implements HealthCheck {

    static final String NAME = "token-cache";

    private final GrantChangeListener listener;

    public TokenCacheHealthCheck(GrantChangeListener listener) {
        this.listener = listener;
    }

    @Override
    public HealthCheckResponse call() {
        CacheListenerStatus s = listener.status();
        HealthCheckResponseBuilder b = HealthCheckResponse.named(NAME).up().withData("enabled", s.enabled());
        if (!s.enabled()) {
            return b.build();
        }
        b.withData("serving", s.serving())
                .withData("listening", s.listening())
                .withData("replica", s.replicaId())
                .withData("suspended", s.suspension().map(GrantChangeListener.Suspension::label).orElse("no"))
                .withData("since", s.since().toString())
                .withData("last_heartbeat_heard", s.lastHeartbeatHeard().map(Object::toString).orElse("never"))
                .withData("heartbeat_age_ms", s.heartbeatAge().map(Duration::toMillis).orElse(-1L))
                .withData("heartbeat_bound_ms", s.heartbeatBound().toMillis())
                .withData("heartbeat_round_trip_ms", s.lastRoundTrip().map(Duration::toMillis).orElse(-1L))
                .withData("heartbeats_unheard", s.heartbeatsUnheard())
                .withData("heartbeats_failed", s.heartbeatsFailed());
        if (s.suspension().isPresent() && s.detail() != null) {
            b.withData("suspended_detail", s.detail());
        }
        return b.build();
    }
}
