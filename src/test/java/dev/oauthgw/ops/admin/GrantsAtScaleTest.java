package dev.oauthgw.ops.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.oauthgw.ops.admin.GrantQueryService.Filter;
import dev.oauthgw.ops.admin.GrantQueryService.GrantPage;
import dev.oauthgw.ops.admin.GrantQueryService.GrantRow;
import dev.oauthgw.ops.admin.GrantQueryService.Query;
import dev.oauthgw.testing.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The grants table with 100,000 grants: pages (first, deep by keyset), filters and search stay fast and
 * index-backed. The rows are this class's own ({@code scale-} ids, expiring in 30+ days) and are removed after.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrantsAtScaleTest {

    private static final int N = 100_000;

    @Inject
    Db db;
    @Inject
    GrantQueryService query;
    @Inject
    ChartQueryService charts;

    @BeforeAll
    void load() {
        db.update("insert into partner (id, display_name, created_by, created_at, updated_at) "
                + "select 'scale-' || g, 'Scale Partner ' || g, 'test', now(), now() from generate_series(1, ?) g", N);
        db.update("insert into partner_grant (id, partner_id, registration, state, state_since, access_expires_at, "
                + "created_at, updated_at) select gen_random_uuid(), 'scale-' || g, 'pax8', "
                + "case when g % 10 = 0 then 'REFRESH_FAILING' when g % 17 = 0 then 'REAUTH_REQUIRED' else 'ACTIVE' end, "
                + "now(), now() + interval '30 days' + make_interval(secs => g), now(), now() "
                + "from generate_series(1, ?) g", N);
        db.update("analyze partner");
        db.update("analyze partner_grant");
    }

    @AfterAll
    void unload() {
        db.update("delete from partner where id like 'scale-%'");
    }

    private static long millis(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1_000_000;
    }

    /** The fastest of a few runs: the machine is shared, one slow run says little. */
    private static long best(Runnable r) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            best = Math.min(best, millis(r));
        }
        return best;
    }

    @Test
    void keyset_pages_walk_in_expiry_order_without_gaps_or_repeats() {
        List<GrantRow> seen = new ArrayList<>();
        String after = null;
        for (int i = 0; i < 5; i++) {
            GrantPage p = query.list(new Query(Filter.FAILING, null, "scale-", after, 200));
            seen.addAll(p.content());
            after = p.nextCursor();
        }
        assertEquals(1000, seen.size());
        Set<String> ids = new HashSet<>();
        seen.forEach(r -> ids.add(r.partnerId()));
        assertEquals(1000, ids.size(), "no repeats");
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(!seen.get(i).accessExpiresAt().isBefore(seen.get(i - 1).accessExpiresAt()), "sorted by expiry");
        }
        assertEquals("scale-10", seen.get(0).partnerId());
        assertEquals("scale-10000", seen.get(999).partnerId());
    }

    /**
     * Every page, filter and search answers over 100,000 grants. Speed is not asserted here (a timed
     * unit test on a shared 2-core machine is flaky); index use is asserted by the plan test below, and
     * the timings are printed for a reader.
     */
    @Test
    void pages_filters_and_search_answer_with_100k_grants() {
        // a deep cursor: the page after 90,000 grants
        String deep = query.list(new Query(Filter.ALL, null, "scale-9", null, 200)).nextCursor();
        List<Query> queries = List.of(
                new Query(Filter.ALL, null, null, null, 50),
                new Query(Filter.ALL, null, null, deep, 50),
                new Query(Filter.FAILING, null, null, null, 50),
                new Query(Filter.REAUTH, null, null, null, 50),
                new Query(Filter.EXPIRING, Duration.ofDays(31), null, null, 50),
                new Query(Filter.ALL, null, "scale-4242", null, 50),
                new Query(Filter.ALL, null, "Scale Partner 777", null, 50));
        for (Query q : queries) {
            for (int i = 0; i < 6; i++) {
                query.list(q); // warm up, and past the driver's and the server's prepared-plan thresholds
            }
            long ms = best(() -> query.list(q));
            assertTrue(query.list(q).content().size() <= 50, "a page holds at most its size");
            System.out.println("grants query " + q + ": best of 3 " + ms + " ms");
        }
        long counts = best(() -> query.counts());
        System.out.println("grant counts: best of 3 " + counts + " ms");
        assertEquals(1, query.list(new Query(Filter.ALL, null, "scale-42424", null, 50)).content().size());
        assertEquals(11, query.list(new Query(Filter.ALL, null, "Scale Partner 7777", null, 50)).content().size());
    }

    /** {@link ChartQueryService#EXPIRIES_SQL} with its three timestamps as literals. */
    private static String expiriesSql(java.time.Instant from, java.time.Instant to) {
        String f = "'" + from + "'::timestamptz";
        return ChartQueryService.EXPIRIES_SQL.replace("cast(? as timestamptz)", f).replaceFirst("\\?", f)
                .replaceFirst("\\?", "'" + to + "'::timestamptz");
    }

    @Test
    void the_expiry_chart_reads_a_range_of_the_state_expiry_index() {
        java.time.Instant now = java.time.Instant.now();
        String plan = String.join("\n", db.query("explain " + expiriesSql(now, now.plus(Duration.ofHours(24)))).stream()
                .map(r -> r.values().iterator().next().toString()).toList());
        assertTrue(plan.contains("partner_grant_state_expiry_idx") || plan.contains("partner_grant_access_expiry_idx"), plan);
        assertTrue(!plan.contains("Seq Scan on partner_grant"), plan);
        // the whole 100,000 in the window (as with tokens that all live 24 hours): answered, timing printed for a reader
        java.time.Instant at = now.plus(Duration.ofDays(30));
        assertEquals(24, query(at).size());
        long ms = best(() -> query(at));
        long total = query(at).stream().mapToLong(ChartQueryService.ExpiryBucket::total).sum();
        assertTrue(total > 75_000 && total <= N, "the scale grants expiring in 30 days' next 24 hours: " + total);
        System.out.println("expiry chart over 100k grants in its window: best of 3 " + ms + " ms\n" + String.join("\n",
                db.query("explain " + expiriesSql(at, at.plus(Duration.ofHours(24)))).stream()
                        .map(r -> r.values().iterator().next().toString()).toList()));
    }

    private List<ChartQueryService.ExpiryBucket> query(java.time.Instant at) {
        return charts.expiries(at);
    }

    @Test
    void the_table_query_walks_an_index_instead_of_sorting_the_table() {
        String plan = String.join("\n", db.query("explain select g.id from partner_grant g join partner p on p.id = g.partner_id "
                + "where g.state = 'REFRESH_FAILING' order by coalesce(g.access_expires_at, 'infinity'::timestamptz), g.id "
                + "limit 51").stream().map(r -> r.values().iterator().next().toString()).toList());
        assertTrue(plan.contains("partner_grant_state_expiry_page_idx"), plan);
        assertTrue(!plan.contains("Seq Scan on partner_grant"), plan);
        String search = String.join("\n", db.query("explain select p.id from partner p where p.id like 'scale-4242%' "
                + "or lower(p.display_name) like 'scale partner 4242%'").stream()
                .map(r -> r.values().iterator().next().toString()).toList());
        assertTrue(search.contains("partner_id_prefix_idx") && search.contains("partner_display_name_prefix_idx"), search);
    }
}
