package dev.oauthgw.refresh;

import java.util.List;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Readiness says whether a provider rejects the vendor's client credentials. By default the check
 * stays UP with the incident in its data (the gateway can still serve stored tokens for hours);
 * {@code gateway.refresh.incident-fails-readiness=true} turns it DOWN. Metrics: {@code gateway_global_incident}
 * (ops.GatewayMetrics).
 */
@Readiness
@ApplicationScoped
public class ProviderIncidentHealthCheck implements HealthCheck {

    private final ProviderIncidents incidents;
    private final RefreshConfig config;

    public ProviderIncidentHealthCheck(ProviderIncidents incidents, RefreshConfig config) {
        this.incidents = incidents;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        List<ProviderIncidents.Incident> open = incidents.active();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("provider-credentials")
                .status(open.isEmpty() || !config.incidentFailsReadiness());
        b.withData("incidents", open.size());
        for (ProviderIncidents.Incident i : open) {
            b.withData(i.registration(), i.kind() + " since " + i.since());
        }
        return b.build();
    }
}
