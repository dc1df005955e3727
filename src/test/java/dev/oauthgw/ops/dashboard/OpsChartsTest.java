package dev.oauthgw.ops.dashboard;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.ops.admin.ChartQueryService;
import dev.oauthgw.ops.admin.ChartQueryService.ExpiryBucket;
import dev.oauthgw.ops.admin.ChartQueryService.OutcomeBucket;
import dev.oauthgw.ops.signin.OpsPasswords;
import dev.oauthgw.ops.signin.OpsSignIn;
import dev.oauthgw.ops.signin.OpsSignInTest;
import dev.oauthgw.testing.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The overview's charts: grants and audit records seeded at known hours land in the right buckets, and /ops draws
 * them as SVG bars with a table of the numbers. The database is shared with the other test classes: the exact
 * bucket checks use a window in 2001 that only this class writes to; the page check (real time) asserts at least
 * the seeded numbers. Seeded rows ({@code chart-} partners, their audit records) are removed after each test.
 */
@QuarkusTest
class OpsChartsTest {

    private static final Instant T0 = Instant.parse("2001-01-01T12:00:00Z");

    @Inject
    Db db;
    @Inject
    ChartQueryService charts;

    private ChartRows rows;

    @BeforeEach
    void load() {
        rows = new ChartRows(db, "chart");
    }

    @AfterEach
    void unload() {
        rows.unload();
    }

    private void grant(String state, Instant accessExpiresAt) {
        rows.grant(state, accessExpiresAt);
    }

    private void audit(String action, Instant at, String detailJson) {
        rows.audit(action, at, detailJson);
    }

    private void refreshed(Instant at) {
        audit("GRANT_REFRESHED", at, "{\"from\":\"ACTIVE\",\"to\":\"ACTIVE\",\"trigger\":\"SCHEDULED\"}");
    }

    private void failed(Instant at, String kind, String to) {
        audit("REFRESH_FAILED", at, "{\"from\":\"ACTIVE\",\"to\":\"" + to + "\",\"kind\":\"" + kind + "\"}");
    }

    @Test
    void expiries_are_counted_per_hour_from_now_by_state() {
        Instant now = T0.plusSeconds(17 * 60); // not on the hour: buckets start at now, not at the clock hour
        grant("ACTIVE", now.minusSeconds(1)); // already expired: not in the chart
        grant("ACTIVE", now); // first instant of bucket 0
        grant("ACTIVE", now.plus(Duration.ofMinutes(59)));
        grant("REFRESH_FAILING", now.plus(Duration.ofMinutes(30)));
        for (int i = 0; i < 5; i++) {
            grant("ACTIVE", now.plus(Duration.ofHours(3)).plusSeconds(i)); // first instant of bucket 3
        }
        grant("REFRESH_FAILING", now.plus(Duration.ofHours(23)).plus(Duration.ofMinutes(59)));
        grant("ACTIVE", now.plus(Duration.ofHours(24))); // the window's end is exclusive
        grant("REAUTH_REQUIRED", now.plus(Duration.ofHours(1))); // not refreshable: not counted
        grant("REVOKED", now.plus(Duration.ofHours(1)));

        List<ExpiryBucket> b = charts.expiries(now);
        assertEquals(24, b.size());
        assertEquals(now, b.get(0).from());
        assertEquals(now.plus(Duration.ofHours(23)), b.get(23).from());
        assertEquals(new ExpiryBucket(now, 2, 1), b.get(0));
        assertEquals(new ExpiryBucket(now.plus(Duration.ofHours(3)), 5, 0), b.get(3));
        assertEquals(new ExpiryBucket(now.plus(Duration.ofHours(23)), 0, 1), b.get(23));
        assertEquals(9, b.stream().mapToLong(ExpiryBucket::total).sum(), b::toString);
    }

    @Test
    void refresh_outcomes_are_counted_per_clock_hour_by_kind() {
        Instant now = T0.plusSeconds(40 * 60); // 12:40: the last bucket is 12:00-13:00, the first 13:00 the day before
        Instant first = T0.minus(Duration.ofHours(23));
        refreshed(first); // first instant of bucket 0
        refreshed(first.minusSeconds(1)); // before the window
        for (int i = 0; i < 3; i++) {
            refreshed(T0.minus(Duration.ofHours(5)).plusSeconds(60 + i));
        }
        failed(T0.minus(Duration.ofHours(5)).plusSeconds(120), "TRANSIENT", "REFRESH_FAILING");
        failed(T0.minus(Duration.ofHours(5)).plusSeconds(121), "TRANSIENT", "REFRESH_FAILING");
        failed(T0.minus(Duration.ofHours(5)).plusSeconds(122), "INVALID_GRANT", "REAUTH_REQUIRED");
        // written before ADR 0009: the new state as "state", no "to"
        audit("REFRESH_FAILED", T0.minus(Duration.ofHours(5)).plusSeconds(123),
                "{\"state\":\"REAUTH_REQUIRED\",\"kind\":\"INVALID_GRANT\"}");
        failed(T0.minus(Duration.ofHours(5)).plusSeconds(124), "MALFORMED_RESPONSE", "REFRESH_FAILING");
        failed(T0.minus(Duration.ofHours(5)).plusSeconds(125), "CLIENT_REJECTED", "ACTIVE");
        audit("TOKEN_SERVED", T0.minus(Duration.ofHours(5)).plusSeconds(126), "{}"); // not a refresh
        failed(now, "TRANSIENT", "REFRESH_FAILING"); // the current hour
        refreshed(T0.plus(Duration.ofHours(1))); // after the window

        List<OutcomeBucket> b = charts.outcomes(now);
        assertEquals(24, b.size());
        assertEquals(first, b.get(0).from());
        assertEquals(T0, b.get(23).from());
        assertEquals(new OutcomeBucket(first, 1, 0, 0, 0), b.get(0));
        assertEquals(new OutcomeBucket(T0.minus(Duration.ofHours(5)), 3, 2, 2, 2), b.get(18));
        assertEquals(new OutcomeBucket(T0, 0, 1, 0, 0), b.get(23));
        assertEquals(11, b.stream().mapToLong(OutcomeBucket::total).sum(), b::toString);
    }

    /** The bucket {@code index} of chart {@code id} on the page: its rects' values by series. */
    private static String bucket(String page, String chartId, int index) {
        Matcher svg = Pattern.compile("<svg class=\"chart\" id=\"" + chartId + "\".*?</svg>", Pattern.DOTALL).matcher(page);
        assertTrue(svg.find(), page);
        Matcher g = Pattern.compile("<g class=\"bucket\" data-index=\"" + index + "\".*?</g>", Pattern.DOTALL)
                .matcher(svg.group());
        assertTrue(g.find(), svg.group());
        return g.group();
    }

    private static long value(String bucket, String series) {
        Matcher m = Pattern.compile("<rect class=\"bar s-" + series + "\" data-series=\"" + series
                + "\" data-value=\"(\\d+)\" x=\"[\\d.]+\" y=\"[\\d.]+\" width=\"[\\d.]+\" height=\"([\\d.]+)\"/>").matcher(bucket);
        if (!m.find()) {
            return 0;
        }
        assertTrue(Double.parseDouble(m.group(2)) >= 1, "a non-zero value is drawn: " + bucket);
        return Long.parseLong(m.group(1));
    }

    @Test
    void the_overview_draws_the_seeded_hours_as_bars() {
        Instant now = Instant.now();
        // five and a half hours from now: bucket 5 for the next 30 minutes
        for (int i = 0; i < 4; i++) {
            grant("REFRESH_FAILING", now.plus(Duration.ofMinutes(5 * 60 + 30)));
        }
        for (int i = 0; i < 3; i++) {
            grant("ACTIVE", now.plus(Duration.ofMinutes(5 * 60 + 30)));
        }
        // two hours before the current clock hour: bucket 21 of 24
        Instant hour = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2)).plusSeconds(60);
        failed(hour, "INVALID_GRANT", "REAUTH_REQUIRED");
        failed(hour, "INVALID_GRANT", "REAUTH_REQUIRED");
        failed(hour, "TRANSIENT", "REFRESH_FAILING");
        refreshed(hour);

        String session = OpsSignInTest.signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        String page = given().cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops").then().statusCode(200)
                .extract().asString();
        boolean sameHour = Instant.now().truncatedTo(ChronoUnit.HOURS).equals(now.truncatedTo(ChronoUnit.HOURS));

        String expiries = bucket(page, "chart-expiries", 5);
        assertTrue(value(expiries, "failing") >= 4, expiries);
        assertTrue(value(expiries, "active") >= 3, expiries);
        assertEquals(48, page.split("<g class=\"bucket\"", -1).length - 1, "24 buckets in each chart");
        assertTrue(page.contains("role=\"img\" aria-labelledby=\"chart-expiries-title chart-expiries-desc\""), page);
        assertTrue(page.contains("<table class=\"chart-data\" id=\"chart-expiries-data\">"), page);
        assertTrue(page.contains("<table class=\"chart-data\" id=\"chart-outcomes-data\">"), page);
        if (sameHour) { // the page was drawn in the hour the audit records were placed for
            String outcomes = bucket(page, "chart-outcomes", 21);
            assertTrue(value(outcomes, "reauth") >= 2, outcomes);
            assertTrue(value(outcomes, "transient") >= 1, outcomes);
            assertTrue(value(outcomes, "success") >= 1, outcomes);
        }
    }

    @Test
    void the_charts_need_no_script_and_keep_the_content_security_policy() {
        String session = OpsSignInTest.signIn(OpsPasswords.DEV_USER, OpsPasswords.DEV_PASSWORD);
        var r = given().cookie(OpsSignIn.SESSION_COOKIE, session).get("/ops").then().statusCode(200).extract();
        String page = r.asString();
        assertTrue(r.header("Content-Security-Policy").contains("script-src 'self';"), r.header("Content-Security-Policy"));
        assertTrue(page.contains("<svg class=\"chart\" id=\"chart-expiries\""), page);
        assertTrue(page.contains("<svg class=\"chart\" id=\"chart-outcomes\""), page);
        assertTrue(!page.contains("<script") && !Pattern.compile("\\son[a-z]+=").matcher(page).find(), page);
    }
}
