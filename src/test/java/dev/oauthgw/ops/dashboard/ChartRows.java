package dev.oauthgw.ops.dashboard;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import dev.oauthgw.testing.Db;

/** Grants and audit records the chart tests put in at known times, all under one key prefix, and take out again. */
final class ChartRows {

    private final Db db;
    private final String key;
    private int n;

    ChartRows(Db db, String prefix) {
        this.db = db;
        this.key = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    void unload() {
        db.update("delete from audit_event where partner_id like ?", key + "-%");
        db.update("delete from partner where id like ?", key + "-%");
    }

    void grant(String state, Instant accessExpiresAt) {
        String partner = key + "-" + (n++);
        db.update("insert into partner (id, display_name, created_by, created_at, updated_at) values (?, ?, 'test', now(), now())",
                partner, "Chart " + partner);
        db.update("insert into partner_grant (id, partner_id, registration, state, state_since, access_expires_at, "
                + "created_at, updated_at) values (?, ?, 'pax8', ?, now(), ?, now(), now())", UUID.randomUUID(), partner,
                state, Timestamp.from(accessExpiresAt));
    }

    void audit(String action, Instant at, String detailJson) {
        db.update("insert into audit_event (occurred_at, actor, action, partner_id, detail) values (?, 'system', ?, ?, cast(? as jsonb))",
                Timestamp.from(at), action, key + "-audit", detailJson);
    }
}
