package dev.oauthgw.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The audit's settings ({@code gateway.audit.*}). */
@ConfigMapping(prefix = "gateway.audit")
public interface AuditConfig {

    /** The token access record: one row per (caller, token), kept in memory and upserted in batches (ADR 0015). */
    TokenAccess tokenAccess();

    interface TokenAccess {

        /** How often the pending (caller, token) records are written. */
        @WithDefault("PT1S")
        Duration flushEvery();

        /**
         * Most distinct (caller, token) keys held in memory between two writes. At the limit the writer is woken to
         * write at once, and a request that brings yet another key writes its own record (back-pressure): memory
         * stays bounded and nothing is dropped.
         */
        @WithDefault("50000")
        int maxPending();

        /** Rows per upsert batch (one transaction each). */
        @WithDefault("1000")
        int batchSize();
    }

    /** What is wrong with these settings, by setting name (the start-up check lists them with the rest). */
    static List<String> problems(AuditConfig config) {
        List<String> out = new ArrayList<>();
        TokenAccess t = config.tokenAccess();
        if (t.flushEvery().isNegative() || t.flushEvery().isZero()) {
            out.add("gateway.audit.token-access.flush-every (GATEWAY_AUDIT_TOKEN_ACCESS_FLUSH_EVERY) must be positive");
        }
        if (t.maxPending() < 1) {
            out.add("gateway.audit.token-access.max-pending (GATEWAY_AUDIT_TOKEN_ACCESS_MAX_PENDING) must be at least 1");
        }
        if (t.batchSize() < 1) {
            out.add("gateway.audit.token-access.batch-size (GATEWAY_AUDIT_TOKEN_ACCESS_BATCH_SIZE) must be at least 1");
        }
        return out;
    }
}
