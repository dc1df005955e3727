package dev.oauthgw.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.Db;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Token access records are batched off the request path and none is lost on a clean shutdown. */
@QuarkusTest
class TokenAccessRecorderTest {

    @Inject
    AgroalDataSource dataSource;
    @Inject
    Db db;

    @Test
    void every_record_queued_before_a_clean_shutdown_is_written() {
        TokenAccessRecorder recorder = new TokenAccessRecorder(dataSource); // a replica of its own
        recorder.start(null);
        String requestPrefix = "shutdown-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        int n = 5_000;
        for (int i = 0; i < n; i++) {
            recorder.record(new TokenAccessRecorder.Access(Instant.now(), "svc-shutdown", "p-shutdown", null,
                    requestPrefix + i, Instant.now().plusSeconds(3600), "partner"));
        }
        recorder.stop(null); // what a clean shutdown does
        assertEquals(n, db.count("select count(*) from audit_event where request_id like ?", requestPrefix + "%"));
        assertEquals(n, recorder.written());
    }

    @Test
    void records_after_shutdown_are_written_by_the_caller_itself() {
        TokenAccessRecorder recorder = new TokenAccessRecorder(dataSource);
        recorder.start(null);
        recorder.stop(null);
        String id = "late-" + UUID.randomUUID();
        recorder.record(new TokenAccessRecorder.Access(Instant.now(), "svc-late", "p-late", null, id,
                Instant.now(), "partner"));
        assertEquals(1, db.count("select count(*) from audit_event where request_id = ?", id));
    }

    @Test
    void a_record_the_database_refuses_is_dropped_and_counted_and_the_rest_of_its_batch_is_written() {
        TokenAccessRecorder recorder = new TokenAccessRecorder(dataSource);
        String prefix = "bad-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        for (int i = 0; i < 10; i++) {
            recorder.record(access(prefix + i, Instant.now(), "svc-bad"));
        }
        // year 295000 is past PostgreSQL's timestamptz range: refused for its data (SQL state 22008)
        recorder.record(access(prefix + "poison", Instant.parse("+295000-01-01T00:00:00Z"), "svc-bad"));
        for (int i = 10; i < 20; i++) {
            recorder.record(access(prefix + i, Instant.now(), "svc-bad"));
        }
        recorder.start(null);
        recorder.stop(null); // the writer thread and the final flush both went past the poison
        assertEquals(20, db.count("select count(*) from audit_event where request_id like ?", prefix + "%"));
        assertEquals(0, db.count("select count(*) from audit_event where request_id = ?", prefix + "poison"));
        assertEquals(1, recorder.dropped());
        assertEquals(20, recorder.written());
        assertEquals(0, recorder.queued());
    }

    @Test
    void a_writer_that_met_a_bad_record_keeps_writing_later_ones() throws Exception {
        TokenAccessRecorder recorder = new TokenAccessRecorder(dataSource);
        recorder.start(null);
        String prefix = "later-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        recorder.record(access(prefix + "poison", Instant.parse("+295000-01-01T00:00:00Z"), "svc-later"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (recorder.dropped() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, recorder.dropped(), "the writer thread dropped the poison record");
        recorder.record(access(prefix + "after", Instant.now(), "svc-later"));
        while (db.count("select count(*) from audit_event where request_id = ?", prefix + "after") == 0
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, db.count("select count(*) from audit_event where request_id = ?", prefix + "after"),
                "written by the writer thread, without a shutdown");
        recorder.stop(null);
    }

    @Test
    void text_that_does_not_fit_its_column_is_cleaned_and_cut_not_refused() {
        TokenAccessRecorder recorder = new TokenAccessRecorder(dataSource);
        String id = "long-" + UUID.randomUUID().toString().substring(0, 8);
        String caller = "svc\u0000with-nul-and-" + "x".repeat(400) + "\n";
        recorder.record(access(id + "\u0000" + "y".repeat(100), Instant.now(), caller));
        java.util.Map<String, Object> row = db.one("select actor, request_id from audit_event where request_id like ?",
                id + "%");
        String actor = (String) row.get("actor");
        assertEquals(255, actor.length());
        assertEquals("svc?with-nul-and-", actor.substring(0, 17));
        assertEquals(64, ((String) row.get("request_id")).length());
        assertEquals(0, recorder.dropped());
    }

    private static TokenAccessRecorder.Access access(String requestId, Instant at, String caller) {
        return new TokenAccessRecorder.Access(at, caller, "p-audit", null, requestId, Instant.now().plusSeconds(60),
                "partner");
    }
}
