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
}
