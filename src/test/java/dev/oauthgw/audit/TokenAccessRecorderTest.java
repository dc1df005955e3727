package dev.oauthgw.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLTransientConnectionException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.Await;
import dev.oauthgw.testing.Db;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Token access is audited by distinct token: one row per (caller, token), counted in memory, upserted in batches,
 * bounded, drained on a clean shutdown; bad rows are dropped and counted, an unavailable database is retried.
 * Each test runs recorders of its own (a replica each) on the test database and a partner id of its own.
 */
@QuarkusTest
class TokenAccessRecorderTest {

    private static final Duration NEVER = Duration.ofHours(1);
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);

    @Inject
    AgroalDataSource dataSource;
    @Inject
    Db db;

    String partner;
    final List<TokenAccessRecorder> started = new ArrayList<>();

    @BeforeEach
    void partner() {
        partner = "p-ta-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stopRecorders() {
        started.forEach(r -> r.stop(null));
    }

    private TokenAccessRecorder recorder(DataSource ds, Duration flushEvery, int maxPending) {
        TokenAccessRecorder r = new TokenAccessRecorder(ds, flushEvery, maxPending, 1000);
        r.start(null);
        started.add(r);
        return r;
    }

    private TokenAccessRecorder.Access access(String caller, Instant tokenExpiresAt, Instant at, String requestId) {
        return new TokenAccessRecorder.Access(at, caller, partner, null, requestId, tokenExpiresAt, "partner");
    }

    private List<Map<String, Object>> rows() {
        return db.query("select caller, kind, subject, token_expires_at, first_served_at, last_served_at, served_count, "
                + "first_request_id from token_access where subject = ? order by caller, token_expires_at", partner);
    }

    private long served() {
        return db.count("select coalesce(sum(served_count), 0) from token_access where subject = ?", partner);
    }

    private static Instant instant(Object timestamp) {
        return ((Timestamp) timestamp).toInstant();
    }

    @Test
    void a_thousand_serves_of_one_token_to_one_caller_are_one_row_with_count_first_last_and_first_request() {
        TokenAccessRecorder r = recorder(dataSource, NEVER, 100);
        Instant exp = T0.plus(Duration.ofDays(1));
        for (int i = 1; i < 1000; i++) {
            r.record(access("svc-a", exp, T0.plusMillis(i), "req-" + i));
        }
        // the earliest serve arrives last (threads take their time from the clock before they record)
        r.record(access("svc-a", exp, T0, "req-0"));
        assertEquals(1, r.pending());
        r.flushAll();

        List<Map<String, Object>> rows = rows();
        assertEquals(1, rows.size(), rows.toString());
        Map<String, Object> row = rows.get(0);
        assertEquals(1000L, row.get("served_count"));
        assertEquals(T0, instant(row.get("first_served_at")));
        assertEquals(T0.plusMillis(999), instant(row.get("last_served_at")));
        assertEquals("req-0", row.get("first_request_id"));
        assertEquals(exp, instant(row.get("token_expires_at")));
        assertEquals("partner", row.get("kind"));
        assertEquals(1, r.written(), "one row upserted for a thousand serves");
        assertEquals(0, r.pending());
    }

    @Test
    void a_refreshed_token_is_a_new_row_and_later_serves_of_a_written_token_add_to_its_row() {
        TokenAccessRecorder r = recorder(dataSource, NEVER, 100);
        Instant first = T0.plus(Duration.ofDays(1));
        Instant refreshed = T0.plus(Duration.ofDays(1)).plusSeconds(3 * 3600);
        for (int i = 0; i < 3; i++) {
            r.record(access("svc-a", first, T0.plusSeconds(i), "a-" + i));
        }
        r.flushAll();
        for (int i = 3; i < 7; i++) { // a replica that still served the old token (it was valid) after a write
            r.record(access("svc-a", first, T0.plusSeconds(i), "a-" + i));
        }
        r.record(access("svc-a", refreshed, T0.plusSeconds(10), "b-0"));
        r.record(access("svc-a", refreshed, T0.plusSeconds(11), "b-1"));
        r.flushAll();

        List<Map<String, Object>> rows = rows();
        assertEquals(2, rows.size(), rows.toString());
        assertEquals(7L, rows.get(0).get("served_count"));
        assertEquals("a-0", rows.get(0).get("first_request_id"), "the first request is kept across upserts");
        assertEquals(T0.plusSeconds(6), instant(rows.get(0).get("last_served_at")));
        assertEquals(2L, rows.get(1).get("served_count"));
        assertEquals("b-0", rows.get(1).get("first_request_id"));
        assertEquals(refreshed, instant(rows.get(1).get("token_expires_at")));
    }

    @Test
    void two_callers_of_one_token_are_two_rows() {
        TokenAccessRecorder r = recorder(dataSource, NEVER, 100);
        Instant exp = T0.plus(Duration.ofDays(1));
        r.record(access("svc-a", exp, T0, "a"));
        r.record(access("svc-b", exp, T0.plusSeconds(1), "b"));
        r.record(access("svc-a", exp, T0.plusSeconds(2), "a2"));
        r.flushAll();
        List<Map<String, Object>> rows = rows();
        assertEquals(2, rows.size(), rows.toString());
        assertEquals("svc-a", rows.get(0).get("caller"));
        assertEquals(2L, rows.get(0).get("served_count"));
        assertEquals("svc-b", rows.get(1).get("caller"));
        assertEquals(1L, rows.get(1).get("served_count"));
    }

    @Test
    void vendor_tokens_are_rows_of_kind_vendor_named_by_the_token_name() {
        TokenAccessRecorder r = recorder(dataSource, NEVER, 100);
        String name = partner; // unique per test
        Instant exp = T0.plus(Duration.ofHours(2));
        for (int i = 0; i < 5; i++) {
            r.record(new TokenAccessRecorder.Access(T0.plusSeconds(i), "svc-v", null, null, "v-" + i, exp,
                    "vendor:" + name));
        }
        r.flushAll();
        Map<String, Object> row = db.one("select kind, subject, served_count, grant_id, first_request_id "
                + "from token_access where subject = ?", name);
        assertEquals("vendor", row.get("kind"));
        assertEquals(5L, row.get("served_count"));
        assertNull(row.get("grant_id"));
        assertEquals("v-0", row.get("first_request_id"));
    }

    @Test
    void a_token_without_expiry_is_recorded_under_infinity() {
        TokenAccessRecorder r = recorder(dataSource, NEVER, 100);
        r.record(access("svc-a", null, T0, "x1"));
        r.record(access("svc-a", null, T0.plusSeconds(1), "x2"));
        r.flushAll();
        assertEquals(1, db.count("select count(*) from token_access where subject = ? and token_expires_at = 'infinity' "
                + "and served_count = 2", partner));
    }

    @Test
    void many_threads_serving_the_same_few_tokens_while_the_writer_flushes_count_exactly() throws Exception {
        TokenAccessRecorder r = recorder(dataSource, Duration.ofMillis(1), 1000); // the writer takes entries all along
        int threads = 8;
        int perThread = 25_000;
        Instant[] tokens = { T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2)) };
        String[] callers = { "svc-a", "svc-b" };
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    r.record(access(callers[i % 2], tokens[(i / 2) % 2], T0.plusMillis(i), "t" + thread + "-" + i));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        r.flushAll();
        assertEquals((long) threads * perThread, served(), "every serve counted once");
        for (Map<String, Object> row : rows()) {
            assertEquals((long) threads * perThread / 4, row.get("served_count"), row.toString());
        }
        assertEquals(4, rows().size());
        assertTrue(r.written() >= 4, "written in many upserts while serving: " + r.written());
    }

    @Test
    void at_the_bound_the_writer_flushes_early_and_nothing_is_lost() throws Exception {
        int max = 10;
        TokenAccessRecorder r = recorder(dataSource, NEVER, max); // only a full map makes it write before shutdown
        Instant exp = T0.plus(Duration.ofDays(1));
        for (int k = 0; k < max; k++) {
            r.record(access("svc-" + k, exp, T0.plusSeconds(k), "first-" + k));
        }
        assertEquals(max, r.pending());
        assertEquals(0, served());
        r.record(access("svc-" + max, exp, T0.plusSeconds(max), "first-" + max)); // one key too many
        assertEquals(1, r.flushedEarly());
        assertEquals(1, db.count("select count(*) from token_access where subject = ? and caller = ?", partner,
                "svc-" + max), "the request that found the map full wrote its own row before it returned");
        long deadline = System.currentTimeMillis() + 10_000;
        while (served() < max + 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(max + 1, served(), "the writer wrote the pending keys at once, not after its interval (an hour)");
        assertEquals(0, r.pending());

        for (int round = 1; round <= 3; round++) { // more keys than the bound, again and again
            for (int k = 0; k < 25; k++) {
                r.record(access("svc-" + k, exp, T0.plusSeconds(round * 100L + k), "r" + round + "-" + k));
                assertTrue(r.pending() <= max, "pending keys stay within the bound: " + r.pending());
            }
        }
        r.stop(null);
        assertEquals(max + 1 + 75, served(), "every serve counted: pending, written early or written by its request");
        assertEquals(25, rows().size());
        assertEquals(0, r.pending());
        assertEquals("first-3", db.one("select first_request_id from token_access where subject = ? and caller = 'svc-3'",
                partner).get("first_request_id"));
    }

    @Test
    void the_event_loops_try_counts_in_memory_and_refuses_without_writing_when_a_write_would_be_needed() {
        int max = 3;
        TokenAccessRecorder r = recorder(dataSource, NEVER, max);
        Instant exp = T0.plus(Duration.ofDays(1));
        for (int k = 0; k < max; k++) {
            assertTrue(r.tryRecord(access("svc-" + k, exp, T0, "t-" + k)));
        }
        assertTrue(r.tryRecord(access("svc-0", exp, T0.plusSeconds(1), "t-again")), "a pending key still counts");
        assertFalse(r.tryRecord(access("svc-new", exp, T0, "t-new")), "a new key at the bound would need a write");
        assertEquals(max, r.pending());
        assertEquals(0, r.flushedEarly());
        assertEquals(0, served(), "refusing wrote nothing: the caller goes to a worker, which records it");
        r.stop(null);
        assertEquals(max + 1, served(), "what tryRecord accepted is written at shutdown; the refused serve is not counted");
        assertFalse(r.tryRecord(access("svc-late", exp, T0, "late")), "a stopped writer would need a write");
        assertEquals(max + 1, served());
    }

    @Test
    void every_serve_counted_before_a_clean_shutdown_is_written() {
        TokenAccessRecorder r = recorder(dataSource, NEVER, 50_000);
        int n = 5_000;
        for (int i = 0; i < n; i++) {
            r.record(access("svc-" + (i % 50), T0.plus(Duration.ofDays(1)), T0.plusMillis(i), "s-" + i));
        }
        assertEquals(50, r.pending());
        assertEquals(0, served(), "nothing written before the interval or the shutdown");
        r.stop(null); // what a clean shutdown does
        assertEquals(n, served());
        assertEquals(50, rows().size());
        assertEquals(50, r.written());
    }

    @Test
    void serves_after_shutdown_are_written_by_the_caller_itself() {
        TokenAccessRecorder r = recorder(dataSource, NEVER, 100);
        r.stop(null);
        r.record(access("svc-late", T0, T0, "late"));
        assertEquals(1, served());
    }

    @Test
    void two_replicas_upserting_the_same_token_add_up() throws Exception {
        TokenAccessRecorder one = recorder(dataSource, Duration.ofMillis(2), 1000);
        TokenAccessRecorder two = recorder(dataSource, Duration.ofMillis(3), 1000);
        Instant exp = T0.plus(Duration.ofDays(1));
        // replica two serves the earliest request: the row keeps its time and request id whoever writes first
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            TokenAccessRecorder r = t % 2 == 0 ? one : two;
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 1; i <= 10_000; i++) {
                    r.record(access(i % 3 == 0 ? "svc-b" : "svc-a", exp, T0.plusMillis(i + thread), "t" + thread + "-" + i));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        one.flushAll();
        two.record(access("svc-a", exp, T0.minusSeconds(1), "earliest"));
        two.flushAll();
        assertEquals(40_001, served());
        List<Map<String, Object>> rows = rows();
        assertEquals(2, rows.size(), rows.toString());
        assertEquals("earliest", rows.get(0).get("first_request_id"));
        assertEquals(T0.minusSeconds(1), instant(rows.get(0).get("first_served_at")));
        assertEquals(T0.plusMillis(10_000 + 3), instant(rows.get(0).get("last_served_at")));
    }

    @Test
    void a_row_the_database_refuses_is_dropped_and_counted_and_the_rest_of_its_batch_is_written() {
        TokenAccessRecorder r = recorder(dataSource, NEVER, 100);
        for (int i = 0; i < 10; i++) {
            r.record(access("svc-" + i, T0, T0, "ok-" + i));
        }
        // year 295000 is past PostgreSQL's timestamptz range: refused for its data (SQL state 22008)
        r.record(access("svc-poison", T0, Instant.parse("+295000-01-01T00:00:00Z"), "poison"));
        for (int i = 10; i < 20; i++) {
            r.record(access("svc-" + i, T0, T0, "ok-" + i));
        }
        r.stop(null);
        assertEquals(20, rows().size());
        assertEquals(0, db.count("select count(*) from token_access where subject = ? and caller = 'svc-poison'", partner));
        assertEquals(1, r.dropped());
        assertEquals(20, r.written());
        assertEquals(0, r.pending());
    }

    @Test
    void a_writer_that_met_a_bad_row_keeps_writing_later_ones() throws Exception {
        TokenAccessRecorder r = recorder(dataSource, Duration.ofMillis(20), 100);
        r.record(access("svc-poison", T0, Instant.parse("+295000-01-01T00:00:00Z"), "poison"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (r.dropped() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, r.dropped(), "the writer thread dropped the poison row");
        r.record(access("svc-after", T0, T0, "after"));
        while (served() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, served(), "written by the writer thread, without a shutdown");
    }

    @Test
    void text_that_does_not_fit_its_column_is_cleaned_and_cut_not_refused() {
        TokenAccessRecorder r = recorder(dataSource, NEVER, 100);
        String caller = "svc\u0000with-nul-and-" + "x".repeat(400) + "\n";
        r.record(access(caller, T0, T0, "id\u0000" + "y".repeat(100)));
        r.flushAll();
        Map<String, Object> row = rows().get(0);
        String actor = (String) row.get("caller");
        assertEquals(255, actor.length());
        assertEquals("svc?with-nul-and-", actor.substring(0, 17));
        assertEquals(64, ((String) row.get("first_request_id")).length());
        assertEquals(0, r.dropped());
    }

    @Test
    void while_the_database_is_down_the_writer_keeps_its_rows_and_retries_and_memory_stays_bounded() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        AtomicInteger connectionsRefused = new AtomicInteger();
        DataSource flaky = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { DataSource.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && down.get()) {
                        connectionsRefused.incrementAndGet();
                        throw new SQLTransientConnectionException("database down (test)");
                    }
                    try {
                        return method.invoke(dataSource, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        int max = 5;
        TokenAccessRecorder r = recorder(flaky, Duration.ofMillis(20), max);
        Instant exp = T0.plus(Duration.ofDays(1));
        long counted = 0;
        for (int i = 0; i < 30; i++) {
            r.record(access("svc-" + (i % 3), exp, T0.plusSeconds(i), "d-" + i));
            counted++;
        }
        // the writer has taken some or all of them and failed a few times
        Await.until(Duration.ofSeconds(10), "the writer failed to reach the database twice",
                () -> connectionsRefused.get() >= 2);
        int fresh = max - r.pending();
        for (int k = 0; k < fresh; k++) { // new keys fill the map while the writer holds what it took
            r.record(access("svc-new-" + k, exp, T0, "n-" + k));
            counted++;
        }
        assertEquals(max, r.pending());
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> r.record(access("svc-one-too-many", exp, T0, "x")),
                "a full map with the database down refuses the serve instead of dropping its record");
        assertTrue(refused.getCause() instanceof SQLTransientConnectionException, String.valueOf(refused.getCause()));
        assertEquals(0, served());

        down.set(false);
        long deadline = System.currentTimeMillis() + 10_000;
        while (served() < counted && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(counted, served(), "every counted serve written once the database is back");
        assertEquals(0, db.count("select count(*) from token_access where subject = ? and caller = 'svc-one-too-many'",
                partner));
        assertEquals(0, r.dropped());
        assertEquals(3 + fresh, rows().size());
    }

    @Test
    void rows_written_before_V12_stay_readable_through_the_view_in_the_new_shape() {
        db.update("insert into audit_event (occurred_at, actor, action, partner_id, request_id, detail) values "
                + "(?, 'svc-old', 'TOKEN_SERVED', ?, 'old-1', cast(? as jsonb))", Timestamp.from(T0), partner,
                "{\"kind\":\"partner\",\"token_expires_at\":\"" + T0.plusSeconds(86_400) + "\"}");
        db.update("insert into audit_event (occurred_at, actor, action, request_id, detail) values "
                + "(?, 'svc-old', 'TOKEN_SERVED', 'old-2', cast(? as jsonb))", Timestamp.from(T0),
                "{\"kind\":\"vendor:" + partner + "\",\"token_expires_at\":\"null\"}");
        TokenAccessRecorder r = recorder(dataSource, NEVER, 100);
        r.record(access("svc-new", T0.plusSeconds(86_400), T0.plusSeconds(5), "new-1"));
        r.flushAll();
        List<Map<String, Object>> all = db.query("select kind, subject, token_expires_at, caller, served_count, "
                + "first_request_id, source from token_access_all where subject = ? order by caller, kind", partner);
        assertEquals(3, all.size(), all.toString());
        assertEquals("svc-new", all.get(0).get("caller"));
        assertEquals("token_access", all.get(0).get("source"));
        assertEquals("partner", all.get(1).get("kind"));
        assertEquals(T0.plusSeconds(86_400), instant(all.get(1).get("token_expires_at")));
        assertEquals(1L, all.get(1).get("served_count"));
        assertEquals("old-1", all.get(1).get("first_request_id"));
        assertEquals("audit_event", all.get(1).get("source"));
        assertEquals("vendor", all.get(2).get("kind"));
    }
}
