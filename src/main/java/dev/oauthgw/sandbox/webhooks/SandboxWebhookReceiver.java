package dev.oauthgw.sandbox.webhooks;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import dev.oauthgw.events.WebhookConfig;
import dev.oauthgw.events.WebhookSignature;
import io.quarkus.arc.profile.IfBuildProfile;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A webhook receiver for dev mode and tests, behind {@code POST /sandbox/webhook-receiver}: it records
 * every delivery (headers and body, and whether the signature verifies under the configured secret) and
 * can be told to fail the next deliveries. Thread-safe; keeps the last {@value #KEEP} deliveries.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxWebhookReceiver {

    static final int KEEP = 1000;

    /** One delivery as received. Header names are lower case. */
    public record Delivery(Instant receivedAt, Map<String, String> headers, byte[] body, int answeredStatus,
            boolean signatureValid) {
        // signatureValid: the HMAC matched and the timestamp was fresh

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String eventId() {
            return header("X-Gateway-Event-Id");
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** How to answer: a status and, optionally, a Retry-After. */
    public record Answer(int status, Duration retryAfter) {
    }

    private record Failure(AtomicInteger left, int status, Duration retryAfter) {
    }

    private static final String ANY = "*";

    private final ConcurrentLinkedDeque<Delivery> deliveries = new ConcurrentLinkedDeque<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private final WebhookConfig config;
    private final Clock clock;

    public SandboxWebhookReceiver(WebhookConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** The next {@code times} deliveries, of any event, answer {@code status}. */
    public void failNext(int times, int status) {
        failures.put(ANY, failure(times, status, null));
    }

    /**
     * The next {@code times} deliveries of this event answer {@code status}, with a Retry-After when
     * {@code retryAfter} is not null. Tests use this form: other tests' events are not affected.
     */
    public void failNext(String eventId, int times, int status, Duration retryAfter) {
        failures.put(eventId, failure(times, status, retryAfter));
    }

    /** Every recorded delivery, oldest first. */
    public List<Delivery> deliveries() {
        return new ArrayList<>(deliveries);
    }

    /** The recorded deliveries of one event, oldest first. */
    public List<Delivery> deliveriesOf(String eventId) {
        return deliveries.stream().filter(d -> eventId.equals(d.eventId())).toList();
    }

    /** Forgets deliveries and failure switches. */
    public void reset() {
        deliveries.clear();
        failures.clear();
    }

    /**
     * Records one delivery and decides the answer. Like a careful receiver it verifies the signature first
     * and answers 401 to a missing, wrong or stale one (timestamp more than 5 minutes from its clock), before
     * any failure it was told to simulate.
     */
    Answer receive(Map<String, String> headers, byte[] body) {
        WebhookSignature.Verdict verdict = config.secret()
                .map(s -> WebhookSignature.verify(s.getBytes(StandardCharsets.UTF_8), body,
                        headers.get("x-gateway-signature"), clock.instant(), WebhookSignature.DEFAULT_TOLERANCE))
                .orElse(WebhookSignature.Verdict.MISSING_OR_MALFORMED);
        boolean valid = verdict == WebhookSignature.Verdict.VALID;
        String eventId = headers.get("x-gateway-event-id");
        Answer answer = valid ? null : new Answer(401, null);
        if (answer == null) {
            answer = take(eventId == null ? null : failures.get(eventId));
        }
        if (answer == null) {
            answer = take(failures.get(ANY));
        }
        if (answer == null) {
            answer = new Answer(204, null);
        }
        deliveries.addLast(new Delivery(clock.instant(), Map.copyOf(headers), body.clone(), answer.status(), valid));
        while (deliveries.size() > KEEP) {
            deliveries.pollFirst();
        }
        return answer;
    }

    private static Answer take(Failure f) {
        if (f == null) {
            return null;
        }
        int left = f.left().getAndUpdate(n -> n > 0 ? n - 1 : n);
        return left > 0 ? new Answer(f.status(), f.retryAfter()) : null;
    }

    private static Failure failure(int times, int status, Duration retryAfter) {
        if (times < 0) {
            throw new IllegalArgumentException("times must be >= 0");
        }
        if (status < 300 || status > 599) {
            throw new IllegalArgumentException("status must be 300-599");
        }
        return new Failure(new AtomicInteger(times), status, retryAfter);
    }
}
