package dev.oauthgw.refresh;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import dev.oauthgw.audit.AuditAction;
import dev.oauthgw.common.SqlValues;
import dev.oauthgw.audit.AuditService;
import dev.oauthgw.events.EventPublisher;
import dev.oauthgw.events.GrantEventType;
import dev.oauthgw.provider.ProviderException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * Provider-wide incidents: the provider rejects the vendor's own client credentials
 * ({@code invalid_client} / {@code unauthorized_client}). That is not any partner's fault, so no grant
 * is moved to re-authorization; refreshes for the registration pause, one probe per interval checks
 * whether the credentials work again, and readiness and metrics say so. Kept in PostgreSQL so that
 * every replica sees it.
 */
@ApplicationScoped
public class ProviderIncidents {

    private static final Logger LOG = Logger.getLogger(ProviderIncidents.class);

    public record Incident(String registration, String kind, Instant since, Instant lastProbeAt, String lastError) {
        /** What the dashboard says about it. */
        public String summary() {
            return "The provider '" + registration + "' rejects the gateway's client credentials (" + lastError
                    + "); scheduled refreshes are paused.";
        }
    }

    private final EntityManager em;
    private final AuditService audit;
    private final EventPublisher events;
    private final RefreshConfig config;
    private final Clock clock;

    public ProviderIncidents(EntityManager em, AuditService audit, EventPublisher events, RefreshConfig config,
            Clock clock) {
        this.em = em;
        this.audit = audit;
        this.events = events;
        this.config = config;
        this.clock = clock;
    }

    /** Opens (or keeps) the registration's incident; runs in the caller's transaction or its own. */
    public void open(String registration, ProviderException e) {
        QuarkusTransaction.joiningExisting().run(() -> {
            int inserted = em.createNativeQuery("insert into provider_incident (registration, kind, since, last_probe_at, "
                    + "last_error) values (?1, 'CLIENT_REJECTED', ?2, ?2, ?3) on conflict (registration) do update "
                    + "set last_error = excluded.last_error, last_probe_at = excluded.last_probe_at "
                    + "returning (xmax = 0)")
                    .setParameter(1, registration).setParameter(2, clock.instant()).setParameter(3, e.getMessage())
                    .getResultList().stream().filter(Boolean.TRUE::equals).toList().size();
            if (inserted == 1) {
                LOG.errorf("INCIDENT: the provider '%s' rejects the gateway's client credentials (%s). Scheduled "
                        + "refreshes are paused; fix the client id/secret.", registration, e.getMessage());
                audit.record("system", AuditAction.PROVIDER_INCIDENT_OPENED, null, null,
                        Map.of("registration", registration, "error", e.getMessage()));
                events.publish(GrantEventType.GLOBAL_INCIDENT, null, null,
                        Map.of("registration", registration, "kind", "CLIENT_REJECTED", "error", e.getMessage()));
            }
        });
    }

    /** Closes the registration's incident if there is one (a refresh just succeeded). */
    public void resolve(String registration) {
        QuarkusTransaction.joiningExisting().run(() -> {
            int n = em.createNativeQuery("delete from provider_incident where registration = ?1")
                    .setParameter(1, registration).executeUpdate();
            if (n > 0) {
                LOG.infof("Incident resolved: the provider '%s' accepts the client credentials again", registration);
                audit.record("system", AuditAction.PROVIDER_INCIDENT_RESOLVED, null, null,
                        Map.of("registration", registration));
                events.publish(GrantEventType.GLOBAL_INCIDENT_RESOLVED, null, null, Map.of("registration", registration));
            }
        });
    }

    public List<Incident> active() {
        List<Object[]> rows = QuarkusTransaction.joiningExisting().call(() -> em.createNativeQuery(
                "select registration, kind, since, last_probe_at, last_error from provider_incident order by since",
                Object[].class).getResultList());
        return rows.stream().map(r -> new Incident((String) r[0], (String) r[1], SqlValues.instant(r[2]), SqlValues.instant(r[3]),
                (String) r[4])).toList();
    }

    /** For the dashboard and the {@code gateway_global_incident} gauge: the oldest open incident. */
    public Optional<Incident> current() {
        return active().stream().findFirst();
    }

    public Optional<Incident> active(String registration) {
        return active().stream().filter(i -> i.registration().equals(registration)).findFirst();
    }

    /** True for exactly one caller in the cluster per probe interval while the incident lasts. */
    public boolean takeProbe(String registration) {
        Instant now = clock.instant();
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "update provider_incident set last_probe_at = ?2 where registration = ?1 "
                        + "and (last_probe_at is null or last_probe_at <= ?3)")
                .setParameter(1, registration).setParameter(2, now)
                .setParameter(3, now.minus(config.incidentProbeEvery())).executeUpdate() == 1);
    }
}
