package dev.oauthgw.grant;

import static dev.oauthgw.grant.GrantChange.AWAITING_CONFIRMATION;
import static dev.oauthgw.grant.GrantChange.CONFIRMED;
import static dev.oauthgw.grant.GrantChange.REJECTED;
import static dev.oauthgw.grant.GrantChange.ANSWER_LOST;
import static dev.oauthgw.grant.GrantChange.ANSWER_RECOVERED;
import static dev.oauthgw.grant.GrantChange.CLIENT_REJECTED;
import static dev.oauthgw.grant.GrantChange.CONNECTED;
import static dev.oauthgw.grant.GrantChange.DISCONNECTED;
import static dev.oauthgw.grant.GrantChange.KEY_RESTORED;
import static dev.oauthgw.grant.GrantChange.REAUTH_REQUIRED;
import static dev.oauthgw.grant.GrantChange.RECONNECTED;
import static dev.oauthgw.grant.GrantChange.REFRESHED;
import static dev.oauthgw.grant.GrantChange.REFRESH_FAILED;
import static dev.oauthgw.grant.GrantState.ACTIVE;
import static dev.oauthgw.grant.GrantState.PENDING;
import static dev.oauthgw.grant.GrantState.REFRESH_FAILING;
import static dev.oauthgw.grant.GrantState.REVOKED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.oauthgw.partner.PartnerService;
import dev.oauthgw.testing.Db;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Every change of {@link GrantChange}'s table from every state, against the real database: the allowed ones
 * set the state, write exactly one audit record and exactly the webhook event docs/operations/webhooks.md
 * promises; the others are refused and change nothing. The expected rows are written out here, not derived
 * from the table under test.
 */
@QuarkusTest
class GrantLifecycleTest {

    /** A row of the expected table: from (null: no grant yet), change -> to, audit action, webhook (null: none). */
    record Row(GrantState from, GrantChange change, GrantState to, String audit, String webhook) {
        @Override
        public String toString() {
            return change + " from " + from;
        }
    }

    static final GrantState RR = GrantState.REAUTH_REQUIRED;

    static final List<Row> ALLOWED = List.of(
            new Row(null, CONNECTED, ACTIVE, "GRANT_CREATED", null),
            new Row(PENDING, CONNECTED, ACTIVE, "GRANT_CREATED", null),
            new Row(PENDING, RECONNECTED, ACTIVE, "GRANT_REPLACED", null),
            // binding confirm-first (ADR 0010): a consent waits for an operator; PENDING is never announced
            new Row(null, AWAITING_CONFIRMATION, PENDING, "GRANT_AWAITING_CONFIRMATION", null),
            new Row(PENDING, AWAITING_CONFIRMATION, PENDING, "GRANT_AWAITING_CONFIRMATION", null),
            new Row(ACTIVE, AWAITING_CONFIRMATION, PENDING, "GRANT_AWAITING_CONFIRMATION", null),
            new Row(REFRESH_FAILING, AWAITING_CONFIRMATION, PENDING, "GRANT_AWAITING_CONFIRMATION", null),
            new Row(RR, AWAITING_CONFIRMATION, PENDING, "GRANT_AWAITING_CONFIRMATION", null),
            new Row(REVOKED, AWAITING_CONFIRMATION, PENDING, "GRANT_AWAITING_CONFIRMATION", null),
            new Row(PENDING, CONFIRMED, ACTIVE, "GRANT_CONFIRMED", null),
            new Row(PENDING, REJECTED, REVOKED, "GRANT_REJECTED", "REVOKED"),
            new Row(ACTIVE, RECONNECTED, ACTIVE, "GRANT_REPLACED", null),
            new Row(REFRESH_FAILING, RECONNECTED, ACTIVE, "GRANT_REPLACED", "RECOVERED"),
            new Row(RR, RECONNECTED, ACTIVE, "GRANT_REPLACED", "RECOVERED"),
            new Row(REVOKED, RECONNECTED, ACTIVE, "GRANT_REPLACED", null),
            new Row(ACTIVE, REFRESHED, ACTIVE, "GRANT_REFRESHED", null),
            new Row(REFRESH_FAILING, REFRESHED, ACTIVE, "GRANT_REFRESHED", "RECOVERED"),
            new Row(ACTIVE, REFRESH_FAILED, REFRESH_FAILING, "REFRESH_FAILED", "REFRESH_FAILING"),
            new Row(REFRESH_FAILING, REFRESH_FAILED, REFRESH_FAILING, "REFRESH_FAILED", null),
            new Row(ACTIVE, CLIENT_REJECTED, ACTIVE, "REFRESH_FAILED", null),
            new Row(REFRESH_FAILING, CLIENT_REJECTED, REFRESH_FAILING, "REFRESH_FAILED", null),
            new Row(ACTIVE, REAUTH_REQUIRED, RR, "REFRESH_FAILED", "REAUTH_REQUIRED"),
            new Row(REFRESH_FAILING, REAUTH_REQUIRED, RR, "REFRESH_FAILED", "REAUTH_REQUIRED"),
            new Row(PENDING, ANSWER_LOST, PENDING, "REFRESH_ANSWER_LOST", null),
            new Row(ACTIVE, ANSWER_LOST, REFRESH_FAILING, "REFRESH_ANSWER_LOST", "REFRESH_FAILING"),
            new Row(REFRESH_FAILING, ANSWER_LOST, REFRESH_FAILING, "REFRESH_ANSWER_LOST", null),
            new Row(RR, ANSWER_LOST, RR, "REFRESH_ANSWER_LOST", null),
            new Row(REVOKED, ANSWER_LOST, REVOKED, "REFRESH_ANSWER_LOST", null),
            new Row(ACTIVE, ANSWER_RECOVERED, ACTIVE, "REFRESH_ANSWER_RECOVERED", null),
            new Row(REFRESH_FAILING, ANSWER_RECOVERED, REFRESH_FAILING, "REFRESH_ANSWER_RECOVERED", null),
            new Row(REFRESH_FAILING, KEY_RESTORED, REFRESH_FAILING, "REFRESH_KEY_RESTORED", null),
            new Row(PENDING, DISCONNECTED, REVOKED, "GRANT_DISCONNECTED", "REVOKED"),
            new Row(ACTIVE, DISCONNECTED, REVOKED, "GRANT_DISCONNECTED", "REVOKED"),
            new Row(REFRESH_FAILING, DISCONNECTED, REVOKED, "GRANT_DISCONNECTED", "REVOKED"),
            new Row(RR, DISCONNECTED, REVOKED, "GRANT_DISCONNECTED", "REVOKED"),
            new Row(REVOKED, DISCONNECTED, REVOKED, "GRANT_DISCONNECTED", null));

    /** Records what the lifecycle announced to observers in this process. */
    @ApplicationScoped
    static class Seen {
        private final List<GrantChanged> changes = new CopyOnWriteArrayList<>();

        void on(@Observes GrantChanged c) {
            changes.add(c);
        }

        List<GrantChanged> of(UUID grantId) {
            return changes.stream().filter(c -> c.grantId().equals(grantId)).toList();
        }
    }

    @Inject
    GrantLifecycle lifecycle;
    @Inject
    PartnerService partners;
    @Inject
    Db db;
    @Inject
    Seen seen;

    static Stream<Row> allowed() {
        return ALLOWED.stream();
    }

    static Stream<Arguments> refused() {
        List<Arguments> out = new ArrayList<>();
        List<GrantState> froms = new ArrayList<>(Arrays.asList(GrantState.values()));
        froms.add(null);
        for (GrantChange c : GrantChange.values()) {
            for (GrantState from : froms) {
                if (ALLOWED.stream().noneMatch(r -> r.change() == c && r.from() == from)) {
                    out.add(Arguments.of(c, from));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allowed")
    void an_allowed_change_sets_the_state_and_writes_one_audit_record_and_the_promised_webhook(Row row) {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        UUID id = grantIn(row.from());
        GrantState now = QuarkusTransaction.requiringNew().call(() -> {
            Grant g = row.from() == null ? newGrant(id) : Grant.findById(id);
            GrantState to = lifecycle.apply(g, row.change(), "tester", "table test", Map.of("fact", 1));
            if (row.from() == null) {
                g.persist();
            }
            return to;
        });
        assertEquals(row.to(), now);
        Map<String, Object> grant = db.one("select state, state_since from partner_grant where id = ?", id);
        assertEquals(row.to().name(), grant.get("state"));
        Instant since = ((java.sql.Timestamp) grant.get("state_since")).toInstant();
        boolean restarts = row.from() != row.to() || row.change() == CONNECTED || row.change() == RECONNECTED
                || row.change() == AWAITING_CONFIRMATION;
        assertEquals(restarts, !since.isBefore(before), "state_since " + since + " restarted: " + restarts);

        List<Map<String, Object>> audit = db.query("select actor, action, detail->>'from' as f, detail->>'to' as t, "
                + "detail->>'reason' as reason, detail->>'fact' as fact from audit_event where grant_id = ?", id);
        assertEquals(1, audit.size(), "exactly one audit record: " + audit);
        assertEquals(row.audit(), audit.get(0).get("action"));
        assertEquals("tester", audit.get(0).get("actor"));
        assertEquals(row.from() == null ? null : row.from().name(), audit.get(0).get("f"));
        assertEquals(row.to().name(), audit.get(0).get("t"));
        assertEquals("table test", audit.get(0).get("reason"));
        assertEquals("1", audit.get(0).get("fact"));

        List<Map<String, Object>> events = db.query("select type, payload::jsonb->'detail'->>'from' as f, "
                + "payload::jsonb->'detail'->>'to' as t from webhook_event where grant_id = ?", id);
        if (row.webhook() == null) {
            assertTrue(events.isEmpty(), "no webhook event: " + events);
        } else {
            assertEquals(1, events.size(), "exactly one webhook event: " + events);
            assertEquals(row.webhook(), events.get(0).get("type"));
            assertEquals(row.from() == null ? null : row.from().name(), events.get(0).get("f"));
            assertEquals(row.to().name(), events.get(0).get("t"));
        }
        assertEquals(1, seen.of(id).size(), "announced once");
        GrantChanged c = seen.of(id).get(0);
        assertEquals(row.change(), c.change());
        assertEquals(row.from(), c.from());
        assertEquals(row.to(), c.to());
    }

    @ParameterizedTest(name = "{0} from {1}")
    @MethodSource("refused")
    void a_change_the_table_does_not_allow_is_refused_and_changes_nothing(GrantChange change, GrantState from) {
        UUID id = grantIn(from);
        GrantTransitionRefused e = assertThrows(GrantTransitionRefused.class,
                () -> QuarkusTransaction.requiringNew().run(() -> {
                    Grant g = from == null ? newGrant(id) : Grant.findById(id);
                    lifecycle.apply(g, change, "tester", "must be refused", Map.of());
                    if (from == null) {
                        g.persist();
                    }
                }));
        assertEquals(change, e.change());
        assertEquals(from, e.from());
        List<Map<String, Object>> rows = db.query("select state from partner_grant where id = ?", id);
        if (from == null) {
            assertTrue(rows.isEmpty());
        } else {
            assertEquals(from.name(), rows.get(0).get("state"));
        }
        assertEquals(0, db.count("select count(*) from audit_event where grant_id = ?", id));
        assertEquals(0, db.count("select count(*) from webhook_event where grant_id = ?", id));
        assertTrue(seen.of(id).isEmpty());
    }

    @Test
    void every_change_and_state_is_covered_by_the_expected_table_or_refused() {
        long pairs = (long) GrantChange.values().length * (GrantState.values().length + 1);
        assertEquals(pairs, ALLOWED.size() + refused().count());
        Set<Row> unique = new HashSet<>(ALLOWED);
        assertEquals(ALLOWED.size(), unique.size());
    }

    private UUID grantIn(GrantState state) {
        UUID id = UUID.randomUUID();
        String partner = "lc-" + id.toString().substring(0, 8);
        partners.create(partner, "Lifecycle " + partner, null, "test");
        if (state != null) {
            QuarkusTransaction.requiringNew().run(() -> {
                Grant g = newGrant(id);
                g.partnerId = partner;
                g.state = state;
                g.stateSince = Instant.parse("2020-01-01T00:00:00Z");
                g.persist();
            });
        }
        pending.put(id, partner);
        return id;
    }

    private final Map<UUID, String> pending = new java.util.concurrent.ConcurrentHashMap<>();

    private Grant newGrant(UUID id) {
        Grant g = new Grant();
        g.id = id;
        g.partnerId = pending.get(id);
        g.registration = "pax8";
        g.createdAt = Instant.now();
        g.updatedAt = g.createdAt;
        return g;
    }
}
