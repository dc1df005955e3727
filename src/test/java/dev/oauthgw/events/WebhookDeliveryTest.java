package dev.oauthgw.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.sandbox.webhooks.SandboxWebhookReceiver;
import dev.oauthgw.sandbox.webhooks.SandboxWebhookReceiver.Delivery;
import dev.oauthgw.testing.Db;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.TransactionalException;

/**
 * Publishing and delivery against the real PostgreSQL and the sandbox receiver in this process. The
 * scheduled job is off in tests; each test calls {@link WebhookSender#deliverDue()} itself. The
 * application and its database are shared with other test classes: every assertion is about this test's
 * own events (unique ids), and the receiver's failure switches target those events only.
 */
@QuarkusTest
class WebhookDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    EventPublisher publisher;

    @Inject
    WebhookSender sender;

    @Inject
    SandboxWebhookReceiver receiver;

    @Inject
    WebhookConfig config;

    @Inject
    Db db;

    @Inject
    EntityManager em;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry meters;
    @Inject
    dev.oauthgw.http.BoundedHttpClient http;

    private final List<UUID> mine = new ArrayList<>();
    private final List<String> logs = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String msg = r instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage();
            logs.add(r.getLevel() + " " + msg + (r.getThrown() == null ? "" : " " + r.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture_logs() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("dev.oauthgw").addHandler(capture);
    }

    @AfterEach
    void delete_our_events() {
        Logger.getLogger("dev.oauthgw").removeHandler(capture);
        for (UUID id : mine) {
            db.update("delete from webhook_event where id = ?", id);
        }
    }

    private static String partner() {
        return "wh-" + UUID.randomUUID().toString().substring(0, 12);
    }

    private UUID publishCommitted(GrantEventType type, String partner, UUID grant, Map<String, ?> detail) {
        UUID id = QuarkusTransaction.requiringNew().call(() -> publisher.publish(type, partner, grant, detail));
        mine.add(id);
        return id;
    }

    private Map<String, Object> row(UUID id) {
        return db.one("select type, partner_id, grant_id, payload::text as payload, attempts, next_attempt_at,"
                + " last_attempt_at, last_status, last_error, delivered_at, dead_at from webhook_event where id = ?", id);
    }

    private void makeDue(UUID id) {
        db.update("update webhook_event set next_attempt_at = now() - interval '1 second' where id = ?", id);
    }

    private static Instant instant(Object ts) {
        return ts == null ? null : ((Timestamp) ts).toInstant();
    }

    private byte[] secret() {
        return config.secret().orElseThrow().getBytes(StandardCharsets.UTF_8);
    }

    private static String hmacHex(byte[] key, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(body));
    }

    // --- publishing ------------------------------------------------------------------------------

    @Test
    void an_event_published_in_a_transaction_that_rolls_back_is_gone() {
        List<UUID> ids = new ArrayList<>();
        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            ids.add(publisher.publish(GrantEventType.REAUTH_REQUIRED, partner(), UUID.randomUUID(), Map.of()));
            throw new IllegalStateException("the state change failed");
        }));
        assertEquals(1, ids.size());
        assertEquals(0, db.count("select count(*) from webhook_event where id = ?", ids.get(0)));
    }

    @Test
    void a_committed_event_is_one_row_with_the_documented_payload() throws Exception {
        String partner = partner();
        UUID grant = UUID.randomUUID();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("from", "ACTIVE");
        detail.put("to", "REFRESH_FAILING");
        detail.put("reason", "transient: HTTP 503");
        UUID id = publishCommitted(GrantEventType.REFRESH_FAILING, partner, grant, detail);

        assertEquals(1, db.count("select count(*) from webhook_event where id = ?", id));
        Map<String, Object> r = row(id);
        assertEquals("REFRESH_FAILING", r.get("type"));
        assertEquals(partner, r.get("partner_id"));
        assertEquals(grant, r.get("grant_id"));
        assertEquals(0, r.get("attempts"));
        assertNotNull(r.get("next_attempt_at"));
        JsonNode p = JSON.readTree((String) r.get("payload"));
        assertEquals(Set.of("id", "type", "occurred_at", "partner_id", "grant_id", "detail"), fieldNames(p));
        assertEquals(id.toString(), p.get("id").asText());
        assertEquals("REFRESH_FAILING", p.get("type").asText());
        assertEquals(partner, p.get("partner_id").asText());
        assertEquals(grant.toString(), p.get("grant_id").asText());
        Instant occurred = Instant.parse(p.get("occurred_at").asText());
        assertTrue(Duration.between(occurred, Instant.now()).abs().toMinutes() < 5);
        assertEquals("transient: HTTP 503", p.get("detail").get("reason").asText());
    }

    @Test
    void a_global_incident_has_no_partner_and_no_grant() throws Exception {
        UUID id = publishCommitted(GrantEventType.GLOBAL_INCIDENT, null, null, Map.of("registration", "pax8"));
        JsonNode p = JSON.readTree((String) row(id).get("payload"));
        assertTrue(p.get("partner_id").isNull());
        assertTrue(p.get("grant_id").isNull());
        assertEquals("pax8", p.get("detail").get("registration").asText());
    }

    @Test
    void publishing_needs_the_callers_transaction() {
        assertThrows(TransactionalException.class,
                () -> publisher.publish(GrantEventType.REVOKED, partner(), UUID.randomUUID(), Map.of()));
    }

    // --- delivery --------------------------------------------------------------------------------

    @Test
    void delivery_is_signed_over_the_exact_body_and_a_tampered_body_does_not_verify() throws Exception {
        UUID id = publishCommitted(GrantEventType.REVOKED, partner(), UUID.randomUUID(), Map.of("reason", "operator"));
        sender.deliverDue();

        List<Delivery> got = receiver.deliveriesOf(id.toString());
        assertEquals(1, got.size());
        Delivery d = got.get(0);
        assertEquals(204, d.answeredStatus());
        assertTrue(d.signatureValid());
        String t = d.header("X-Gateway-Timestamp");
        byte[] signed = (t + "." + d.bodyText()).getBytes(StandardCharsets.UTF_8);
        assertEquals("t=" + t + ",v1=" + hmacHex(secret(), signed), d.header("X-Gateway-Signature"));
        byte[] tampered = d.bodyText().replace("REVOKED", "RECOVERED").getBytes(StandardCharsets.UTF_8);
        assertEquals(WebhookSignature.Verdict.MISMATCH, WebhookSignature.verify(secret(), tampered,
                d.header("X-Gateway-Signature"), clock.instant(), WebhookSignature.DEFAULT_TOLERANCE));

        assertTrue(d.header("Content-Type").startsWith("application/json"));
        assertEquals(id.toString(), d.header("X-Gateway-Event-Id"));
        assertEquals("REVOKED", d.header("X-Gateway-Event-Type"));
        assertEquals("1", d.header("X-Gateway-Delivery-Attempt"));
        long ts = Long.parseLong(d.header("X-Gateway-Timestamp"));
        assertTrue(Math.abs(ts - Instant.now().getEpochSecond()) < 300);
        assertEquals(row(id).get("payload"), d.bodyText());
        assertEquals(id.toString(), JSON.readTree(d.body()).get("id").asText());

        Map<String, Object> r = row(id);
        assertNotNull(r.get("delivered_at"));
        assertNull(r.get("next_attempt_at"));
        assertEquals(204, r.get("last_status"));
        assertEquals(1, r.get("attempts"));
        sender.deliverDue();
        assertEquals(1, receiver.deliveriesOf(id.toString()).size(), "a delivered event is not sent again");
    }

    @Test
    void failed_deliveries_are_retried_with_growing_backoff_and_the_same_event_id() {
        UUID id = publishCommitted(GrantEventType.REAUTH_REQUIRED, partner(), UUID.randomUUID(), Map.of());
        receiver.failNext(id.toString(), 2, 503, null);

        sender.deliverDue();
        Map<String, Object> first = row(id);
        assertEquals(1, first.get("attempts"));
        assertEquals(503, first.get("last_status"));
        assertEquals("HTTP 503", first.get("last_error"));
        assertNull(first.get("delivered_at"));
        Duration delay1 = Duration.between(instant(first.get("last_attempt_at")), instant(first.get("next_attempt_at")));
        assertTrue(delay1.compareTo(Duration.ofSeconds(5)) >= 0 && delay1.compareTo(Duration.ofSeconds(10)) <= 0,
                delay1.toString());
        sender.deliverDue();
        assertEquals(1, receiver.deliveriesOf(id.toString()).size(), "not retried before it is due");

        makeDue(id);
        sender.deliverDue();
        Map<String, Object> second = row(id);
        assertEquals(2, second.get("attempts"));
        Duration delay2 = Duration.between(instant(second.get("last_attempt_at")), instant(second.get("next_attempt_at")));
        assertTrue(delay2.compareTo(delay1) >= 0 && delay2.compareTo(Duration.ofSeconds(20)) <= 0,
                delay1 + " then " + delay2);

        makeDue(id);
        sender.deliverDue();
        Map<String, Object> third = row(id);
        assertEquals(3, third.get("attempts"));
        assertNotNull(third.get("delivered_at"));
        assertNull(third.get("last_error"));

        List<Delivery> got = receiver.deliveriesOf(id.toString());
        assertEquals(List.of(503, 503, 204), got.stream().map(Delivery::answeredStatus).toList());
        assertEquals(List.of("1", "2", "3"), got.stream().map(d -> d.header("X-Gateway-Delivery-Attempt")).toList());
        for (Delivery d : got) {
            assertEquals(id.toString(), d.header("X-Gateway-Event-Id"));
            assertEquals(got.get(0).bodyText(), d.bodyText());
            assertTrue(d.signatureValid());
        }
    }

    @Test
    void a_receivers_retry_after_is_honoured() {
        UUID id = publishCommitted(GrantEventType.REFRESH_FAILING, partner(), UUID.randomUUID(), Map.of());
        receiver.failNext(id.toString(), 1, 429, Duration.ofMinutes(30));
        sender.deliverDue();
        Map<String, Object> r = row(id);
        assertEquals(429, r.get("last_status"));
        Duration delay = Duration.between(instant(r.get("last_attempt_at")), instant(r.get("next_attempt_at")));
        assertTrue(delay.compareTo(Duration.ofMinutes(30)) >= 0 && delay.compareTo(Duration.ofHours(1)) <= 0,
                delay.toString());
    }

    @Test
    void an_event_is_dead_after_max_attempts_and_the_log_holds_neither_body_nor_secret() {
        String marker = "marker-" + UUID.randomUUID();
        UUID id = publishCommitted(GrantEventType.REAUTH_REQUIRED, partner(), UUID.randomUUID(),
                Map.of("reason", marker));
        receiver.failNext(id.toString(), 1000, 500, null);

        int max = config.maxAttempts();
        for (int i = 0; i < max; i++) {
            makeDue(id);
            sender.deliverDue();
        }
        Map<String, Object> r = row(id);
        assertEquals(max, r.get("attempts"));
        assertNotNull(r.get("dead_at"));
        assertNull(r.get("delivered_at"));
        assertNull(r.get("next_attempt_at"));
        assertEquals("HTTP 500", r.get("last_error"));

        makeDue(id); // no effect on a dead event
        sender.deliverDue();
        assertEquals(max, receiver.deliveriesOf(id.toString()).size());

        assertTrue(logs.stream().anyMatch(l -> (l.startsWith("ERROR") || l.startsWith("SEVERE")) && l.contains(id.toString()) && l.contains("dead")),
                String.join("\n", logs));
        String secret = config.secret().orElseThrow();
        for (String line : logs) {
            assertFalse(line.contains(marker), "body logged: " + line);
            assertFalse(line.contains(secret), "secret logged: " + line);
            assertFalse(line.contains("sha256="), "signature logged: " + line);
        }
    }

    @Test
    void two_senders_at_once_deliver_each_event_exactly_once() throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(publishCommitted(GrantEventType.RECOVERED, partner(), UUID.randomUUID(), Map.of("n", i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<WebhookSender.Run>> runs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                runs.add(pool.submit(() -> {
                    start.await();
                    return sender.deliverDue();
                }));
            }
            start.countDown();
            for (Future<WebhookSender.Run> f : runs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // the batch may have been filled by other events: send the rest, still one sender
        for (int round = 0; round < 5 && ids.stream().anyMatch(id -> row(id).get("delivered_at") == null); round++) {
            sender.deliverDue();
        }
        for (UUID id : ids) {
            assertEquals(1, receiver.deliveriesOf(id.toString()).size(), "deliveries of " + id);
            Map<String, Object> r = row(id);
            assertEquals(1, r.get("attempts"));
            assertNotNull(r.get("delivered_at"));
        }
    }

    @Test
    void without_a_url_events_are_kept_and_sent_once_a_url_is_configured() {
        UUID id = publishCommitted(GrantEventType.REVOKED, partner(), UUID.randomUUID(), Map.of());
        Map<String, String> props = new HashMap<>();
        WebhookSender noUrl = new WebhookSender(WebhookConfigTest.config(props), em, clock, meters, http);
        assertFalse(noUrl.enabled());
        assertEquals(new WebhookSender.Run(0, 0, 0, 0), noUrl.deliverDue());
        assertEquals(0, row(id).get("attempts"));
        assertNull(row(id).get("delivered_at"));
        assertTrue(receiver.deliveriesOf(id.toString()).isEmpty());

        assertTrue(sender.enabled());
        sender.deliverDue();
        assertEquals(1, receiver.deliveriesOf(id.toString()).size());
        assertNotNull(row(id).get("delivered_at"));
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> s = new java.util.HashSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return Collections.unmodifiableSet(s);
    }

    // --- the sandbox receiver verifies like a careful receiver: body, timestamp, age ------------------

    private int postToReceiver(String eventId, byte[] body, String signature) {
        return io.restassured.RestAssured.given().contentType("application/json").header("X-Gateway-Event-Id", eventId)
                .header("X-Gateway-Signature", signature).body(body).post("/sandbox/webhook-receiver").statusCode();
    }

    @Test
    void receiver_accepts_a_fresh_signature_and_refuses_a_tampered_body_a_tampered_timestamp_and_a_stale_one() {
        String id = UUID.randomUUID().toString();
        byte[] body = ("{\"id\": \"" + id + "\", \"type\": \"REVOKED\"}").getBytes(StandardCharsets.UTF_8);
        long now = clock.instant().getEpochSecond();
        String good = WebhookSignature.header(secret(), now, body);
        assertEquals(204, postToReceiver(id, body, good));

        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("REVOKED", "RECOVERED")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(401, postToReceiver(id, tampered, good));

        // the timestamp moved forward to make a captured request look fresh: the HMAC no longer matches
        String stale = WebhookSignature.header(secret(), now - 600, body);
        String moved = stale.replace("t=" + (now - 600), "t=" + now);
        assertEquals(401, postToReceiver(id, body, moved));

        // a genuine signature, but older than 5 minutes: a replay
        assertEquals(401, postToReceiver(id, body, stale));
        assertEquals(401, postToReceiver(id, body, "sha256=" + "0".repeat(64)));

        List<Delivery> got = receiver.deliveriesOf(id);
        assertEquals(5, got.size());
        assertTrue(got.get(0).signatureValid());
        assertTrue(got.stream().skip(1).noneMatch(Delivery::signatureValid));
    }
}
