package dev.oauthgw.events;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

import org.jboss.logging.Logger;

import dev.oauthgw.common.Backoff;
import dev.oauthgw.http.BoundedHttpClient;
import dev.oauthgw.http.HttpBounds;
import dev.oauthgw.http.OutboundAnswer;
import dev.oauthgw.http.OutboundFailure;
import dev.oauthgw.http.OutboundRequest;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;

/**
 * Sends the outbox: every replica polls for due events and POSTs each one, signed, to the configured URL.
 * 2xx means delivered; anything else (or no answer) is retried with exponential backoff and jitter,
 * never sooner than the receiver's Retry-After (up to {@code backoff-max}), until {@code max-attempts},
 * after which the event is dead: kept in the table, logged as an error (id and type, never the body or
 * the secret).
 * <p>
 * <b>Claim, then send without a lock.</b> An event is claimed in a short transaction
 * ({@code SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1}, then {@code attempts + 1} and
 * {@code next_attempt_at = now + lease}, commit), sent with no transaction and no connection held, and
 * its outcome is written in a second short transaction. Holding the row lock across the HTTP call would
 * keep one database connection and one open transaction per delivery in flight for up to the request
 * timeout, drawn from the pool that the refresher (which must hold its locks across the provider's
 * token call) and {@code GET /tokens} share; a slow receiver must not starve them. The lease is longer
 * than connect + request timeout, so no other replica takes an event while its attempt is in flight;
 * if a replica dies mid-attempt, another sends the event again once the lease ends. That is at-least-once
 * delivery, which receivers handle by deduplicating on {@code X-Gateway-Event-Id} (the same on every
 * attempt).
 * <p>
 * Not to be called inside a transaction: each step runs in its own.
 */
@Startup
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    static final String USER_AGENT = "pax8-oauth-gateway-webhooks";
    /** Added to connect + request timeout to make the lease on a claimed event. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    private static final Duration PURGE_EVERY = Duration.ofHours(1);
    private static final int PURGE_BATCH = 1000;

    /** What one {@link #deliverDue()} run did. */
    public record Run(int attempted, int delivered, int failed, int dead) {
        static final Run NOTHING = new Run(0, 0, 0, 0);
    }

    /** One claimed event. */
    record Claim(UUID id, String type, String payload, int attempt) {
    }

    /** What the receiver said: an HTTP status, or no answer (status null, error set). */
    record Result(Integer status, String error, Optional<Duration> retryAfter) {
        boolean ok() {
            return status != null && status >= 200 && status < 300;
        }
    }

    enum Outcome {
        DELIVERED, FAILED, DEAD, STALE
    }

    private final WebhookConfig config;
    private final Optional<WebhookEndpoint> endpoint;
    private final EntityManager em;
    private final Clock clock;
    private final MeterRegistry meters;
    private final BoundedHttpClient http;
    private final HttpBounds bounds;
    private volatile Instant nextPurge = Instant.MIN;

    @Inject
    public WebhookSender(WebhookConfig config, EntityManager em, Clock clock, MeterRegistry meters,
            BoundedHttpClient http) {
        this.config = config;
        this.endpoint = WebhookEndpoint.from(config); // fails closed at start
        this.em = em;
        this.clock = clock;
        this.meters = meters;
        this.http = http;
        this.bounds = new HttpBounds(config.connectTimeout(), config.headersTimeout(), config.idleTimeout(),
                config.requestTimeout(), config.maxAnswerSize());
        if (endpoint.isPresent()) {
            LOG.infof("Webhooks on: grant events go to %s (max %d attempts)", endpoint.get().target(),
                    config.maxAttempts());
        } else {
            LOG.infof("Webhooks off (no %s): grant events are recorded in webhook_event and sent once a URL is configured",
                    WebhookConfig.URL_ENV);
        }
    }

    @Scheduled(identity = "webhook-sender", every = "${gateway.webhook.poll-every:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        try {
            deliverDue();
        } catch (RuntimeException e) {
            // a database failure: no payload or secret is in these messages
            LOG.warnf("Webhook delivery run failed, retrying at the next poll: %s: %s", e.getClass().getSimpleName(),
                    e.getMessage());
        }
    }

    /** True when a webhook URL is configured. */
    public boolean enabled() {
        return endpoint.isPresent();
    }

    /**
     * Sends up to {@code batch-size} due events, one at a time, and returns what happened. Safe to call
     * from many threads and replicas at once: each event is claimed by one caller.
     */
    public Run deliverDue() {
        if (endpoint.isEmpty()) {
            return Run.NOTHING;
        }
        purgeIfDue();
        int attempted = 0, delivered = 0, failed = 0, dead = 0;
        for (int i = 0; i < config.batchSize(); i++) {
            Claim claim = QuarkusTransaction.requiringNew().timeout(30).call(this::claimNext);
            if (claim == null) {
                break;
            }
            attempted++;
            Result result = send(endpoint.get(), claim);
            Outcome outcome = QuarkusTransaction.requiringNew().timeout(30).call(() -> record(claim, result));
            meters.counter("gateway.webhook.attempts", "outcome", outcome.name().toLowerCase()).increment();
            switch (outcome) {
                case DELIVERED -> delivered++;
                case FAILED -> failed++;
                case DEAD -> dead++;
                case STALE -> { }
            }
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        return new Run(attempted, delivered, failed, dead);
    }

    /** Takes the most overdue event nobody else holds, and leases it for one attempt. */
    Claim claimNext() {
        Instant now = clock.instant();
        @SuppressWarnings("unchecked")
        List<UUID> ids = em.createNativeQuery("select id from webhook_event"
                + " where delivered_at is null and dead_at is null and next_attempt_at <= ?1"
                + " order by next_attempt_at limit 1 for update skip locked", UUID.class)
                .setParameter(1, now).getResultList();
        if (ids.isEmpty()) {
            return null;
        }
        WebhookEvent e = em.find(WebhookEvent.class, ids.get(0));
        e.attempts++;
        e.lastAttemptAt = now;
        e.nextAttemptAt = now.plus(lease());
        return new Claim(e.id, e.type, e.payload, e.attempts);
    }

    Duration lease() {
        return config.connectTimeout().plus(config.requestTimeout()).plus(LEASE_MARGIN);
    }

    /** One POST; never throws. The body is the stored payload, byte for byte, and that is what is signed. */
    Result send(WebhookEndpoint target, Claim claim) {
        byte[] body = claim.payload().getBytes(StandardCharsets.UTF_8);
        long sentAt = clock.instant().getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", USER_AGENT);
        headers.put("X-Gateway-Event-Id", claim.id().toString());
        headers.put("X-Gateway-Event-Type", claim.type());
        headers.put("X-Gateway-Delivery-Attempt", Integer.toString(claim.attempt()));
        headers.put("X-Gateway-Timestamp", Long.toString(sentAt));
        headers.put("X-Gateway-Signature", target.sign(sentAt, body));
        try {
            OutboundAnswer response = http.call(OutboundRequest.of("POST", target.url(), headers, body), bounds);
            int status = response.status();
            return new Result(status, status >= 200 && status < 300 ? null : "HTTP " + status,
                    response.header("Retry-After").flatMap(v -> retryAfter(v, clock.instant())));
        } catch (OutboundFailure e) {
            // the message names the bound or the failure, never the URL
            return new Result(null, "the receiver " + e.getMessage(), Optional.empty());
        } catch (RuntimeException e) {
            return new Result(null, describe(e), Optional.empty());
        }
    }

    /** Writes the attempt's outcome; a success always counts, a failure only if the claim is still ours. */
    Outcome record(Claim claim, Result result) {
        WebhookEvent e = em.find(WebhookEvent.class, claim.id(), LockModeType.PESSIMISTIC_WRITE);
        if (e == null) {
            return Outcome.STALE;
        }
        Instant now = clock.instant();
        if (result.ok()) {
            e.deliveredAt = now;
            e.deadAt = null;
            e.nextAttemptAt = null;
            e.lastStatus = result.status();
            e.lastError = null;
            LOG.debugf("Webhook event %s (%s) delivered on attempt %d", e.id, e.type, claim.attempt());
            return Outcome.DELIVERED;
        }
        if (e.deliveredAt != null || e.deadAt != null || e.attempts != claim.attempt()) {
            return Outcome.STALE; // another replica took it over after our lease ended
        }
        e.lastStatus = result.status();
        e.lastError = result.error();
        if (e.attempts >= config.maxAttempts()) {
            e.deadAt = now;
            e.nextAttemptAt = null;
            LOG.errorf("Webhook event %s (%s, partner %s) is dead after %d attempts (last: %s); it stays in"
                    + " webhook_event with dead_at set, see docs/operations/webhooks.md to send it again",
                    e.id, e.type, e.partnerId == null ? "-" : e.partnerId, e.attempts, e.lastError);
            return Outcome.DEAD;
        }
        Duration delay = backoff(e.attempts, result.retryAfter(), config.backoffInitial(), config.backoffMax(),
                ThreadLocalRandom.current());
        e.nextAttemptAt = now.plus(delay);
        LOG.warnf("Webhook event %s (%s) attempt %d of %d failed (%s); next attempt at %s", e.id, e.type,
                e.attempts, config.maxAttempts(), e.lastError, e.nextAttemptAt);
        return Outcome.FAILED;
    }

    /**
     * The delay after the {@code attempts}-th failed attempt: {@code initial * 2^(attempts-1)} capped at
     * {@code max}, jittered down to between half and all of it, and never shorter than the receiver's
     * Retry-After (itself capped at {@code max}).
     */
    static Duration backoff(int attempts, Optional<Duration> retryAfter, Duration initial, Duration max,
            RandomGenerator random) {
        long jittered = Backoff.jittered(attempts, initial, max, random).toMillis();
        long floor = retryAfter.map(d -> Math.min(max.toMillis(), Math.max(0, d.toMillis()))).orElse(0L);
        return Duration.ofMillis(Math.max(jittered, floor));
    }

    /** Retry-After as delay-seconds or an HTTP date; empty when unreadable. */
    static Optional<Duration> retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /** The failure in words, without the URL (its path or query may hold a receiver's token). */
    private String describe(Exception e) {
        String message = e.getMessage();
        String text = e.getClass().getSimpleName();
        if (message != null && !message.isBlank()) {
            String url = endpoint.map(ep -> ep.url().toString()).orElse("");
            if (!url.isEmpty()) {
                message = message.replace(url, "<webhook url>");
            }
            String query = endpoint.map(ep -> ep.url().getRawQuery()).orElse(null);
            if (query != null && !query.isEmpty()) {
                message = message.replace(query, "<query>");
            }
            text += ": " + message;
        }
        return text.length() > 500 ? text.substring(0, 500) : text;
    }

    /** Deletes delivered events older than the retention, at most once an hour per replica. */
    private void purgeIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextPurge)) {
            return;
        }
        nextPurge = now.plus(PURGE_EVERY);
        Instant before = now.minus(config.retention());
        int deleted = QuarkusTransaction.requiringNew().timeout(60).call(() -> em.createNativeQuery(
                "delete from webhook_event where id in (select id from webhook_event"
                        + " where delivered_at < ?1 limit " + PURGE_BATCH + ")")
                .setParameter(1, before).executeUpdate());
        if (deleted > 0) {
            LOG.debugf("Purged %d delivered webhook events older than %s", deleted, config.retention());
        }
    }
}
