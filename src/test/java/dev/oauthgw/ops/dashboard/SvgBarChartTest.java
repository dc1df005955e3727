package dev.oauthgw.ops.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.oauthgw.ops.admin.ChartQueryService.ExpiryBucket;
import dev.oauthgw.ops.admin.ChartQueryService.OutcomeBucket;
import dev.oauthgw.ops.dashboard.SvgBarChart.Bar;
import dev.oauthgw.ops.dashboard.SvgBarChart.Chart;
import dev.oauthgw.ops.dashboard.SvgBarChart.Series;

/** The pure SVG builder: scales, empty data, one huge bucket, escaping, accessible markup. */
class SvgBarChartTest {

    private static final List<Series> TWO = List.of(new Series("a", "active"), new Series("f", "failing"));
    private static final Pattern RECT = Pattern.compile(
            "<rect class=\"bar s-([a-z-]+)\" data-series=\"[a-z-]+\" data-value=\"(\\d+)\" x=\"([\\d.]+)\" y=\"([\\d.]+)\" "
                    + "width=\"([\\d.]+)\" height=\"([\\d.]+)\"/>");

    private static Chart chart(List<Bar> bars) {
        return SvgBarChart.render("c", "Title", "Desc", "X", TWO, bars);
    }

    private static List<double[]> rects(String svg) {
        List<double[]> out = new ArrayList<>();
        Matcher m = RECT.matcher(svg);
        while (m.find()) {
            out.add(new double[] { Double.parseDouble(m.group(2)), Double.parseDouble(m.group(4)),
                    Double.parseDouble(m.group(6)) });
        }
        return out;
    }

    @Test
    void nice_ceiling_is_one_two_or_five_times_a_power_of_ten() {
        assertEquals(1, SvgBarChart.niceCeiling(0));
        assertEquals(1, SvgBarChart.niceCeiling(1));
        assertEquals(2, SvgBarChart.niceCeiling(2));
        assertEquals(5, SvgBarChart.niceCeiling(3));
        assertEquals(10, SvgBarChart.niceCeiling(6));
        assertEquals(20, SvgBarChart.niceCeiling(11));
        assertEquals(100, SvgBarChart.niceCeiling(100));
        assertEquals(200_000, SvgBarChart.niceCeiling(100_001));
    }

    @Test
    void bars_are_scaled_to_the_axis_and_stacked_from_the_baseline() {
        String svg = chart(List.of(new Bar("0", "zero", 3, 1), new Bar("", "one", 10, 0))).svg().toString();
        assertTrue(svg.contains("data-top=\"10\""), svg);
        assertTrue(svg.contains("data-max=\"10\""), svg);
        List<double[]> r = rects(svg);
        assertEquals(3, r.size(), "zero values draw nothing");
        double base = SvgBarChart.TOP + SvgBarChart.PLOT_H;
        // bar 0: active 3 at the bottom, failing 1 on top of it
        assertEquals(SvgBarChart.PLOT_H * 0.3, r.get(0)[2], 0.11);
        assertEquals(base - SvgBarChart.PLOT_H * 0.3, r.get(0)[1], 0.11);
        assertEquals(SvgBarChart.PLOT_H * 0.1, r.get(1)[2], 0.11);
        assertEquals(r.get(0)[1] - r.get(1)[2], r.get(1)[1], 0.11);
        // bar 1 reaches the top of the plot
        assertEquals(SvgBarChart.PLOT_H, r.get(2)[2], 0.11);
        assertEquals(SvgBarChart.TOP, r.get(2)[1], 0.11);
        // grid labels 0, 5, 10
        assertTrue(svg.contains(">0</text>") && svg.contains(">5</text>") && svg.contains(">10</text>"), svg);
    }

    @Test
    void one_huge_bucket_keeps_the_small_ones_visible() {
        List<Bar> bars = new ArrayList<>(Collections.nCopies(23, new Bar("", "small", 1, 0)));
        bars.add(new Bar("", "huge", 100_000, 0));
        Chart c = chart(bars);
        String svg = c.svg().toString();
        assertEquals(100_000, c.max());
        assertTrue(svg.contains("data-top=\"100000\""), svg);
        List<double[]> r = rects(svg);
        assertEquals(24, r.size());
        for (int i = 0; i < 23; i++) {
            assertEquals(1.0, r.get(i)[2], 0.01, "a non-zero bucket is at least one pixel high");
        }
        assertEquals(SvgBarChart.PLOT_H, r.get(23)[2], 0.11);
        for (double[] x : r) {
            assertTrue(x[1] >= SvgBarChart.TOP - 0.01 && x[1] + x[2] <= SvgBarChart.TOP + SvgBarChart.PLOT_H + 0.01,
                    "inside the plot");
        }
    }

    @Test
    void empty_data_says_so_and_draws_no_bars() {
        Chart c = chart(List.of(new Bar("0", "zero", 0, 0), new Bar("1", "one", 0, 0)));
        String svg = c.svg().toString();
        assertEquals(0, c.total());
        assertTrue(rects(svg).isEmpty(), svg);
        assertTrue(svg.contains("No data in this period"), svg);
        assertTrue(svg.contains("data-top=\"1\""), "no division by zero: " + svg);
        assertFalse(svg.contains("NaN") || svg.contains("Infinity"), svg);
        // and with no buckets at all
        String none = chart(List.of()).svg().toString();
        assertTrue(none.contains("No data in this period") && !none.contains("NaN"), none);
    }

    @Test
    void every_text_is_escaped() {
        String evil = "<script>alert('x')</script> & \"q\"";
        Chart c = SvgBarChart.render("c", evil, evil, evil, List.of(new Series(evil, "active")),
                List.of(new Bar(evil, evil, 1)));
        String all = c.svg().toString() + c.table();
        assertFalse(all.contains("<script"), all);
        assertFalse(all.contains("alert('x')"), all);
        assertTrue(all.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"), all);
        assertThrows(IllegalArgumentException.class, () -> new Series("x", "a\" onload=\"x"));
        assertThrows(IllegalArgumentException.class,
                () -> SvgBarChart.render("c\"", "t", "d", "x", TWO, List.of()));
    }

    @Test
    void markup_is_accessible_and_needs_no_script() {
        Chart c = chart(List.of(new Bar("now", "in 0–1 h", 2, 1)));
        String svg = c.svg().toString();
        assertTrue(svg.startsWith("<svg class=\"chart\" id=\"c\""), svg);
        assertTrue(svg.contains("role=\"img\" aria-labelledby=\"c-title c-desc\""), svg);
        assertTrue(svg.contains("<title id=\"c-title\">Title</title>"), svg);
        assertTrue(svg.contains("<desc id=\"c-desc\">Desc Total 3; the tallest bar is 3.</desc>"), svg);
        assertTrue(svg.contains("<title>in 0–1 h: a 2, f 1</title>"), "a tooltip per bar: " + svg);
        assertFalse(svg.contains("style=") || Pattern.compile(" on[a-z]+=").matcher(svg).find() || svg.contains("<script"), svg);
        String table = c.table().toString();
        assertTrue(table.contains("<caption>Title</caption>"), table);
        assertTrue(table.contains("<tr><th scope=\"row\">in 0–1 h</th><td>2</td><td>1</td></tr>"), table);
        assertThrows(IllegalArgumentException.class, () -> chart(List.of(new Bar("", "x", 1))));
        assertThrows(IllegalArgumentException.class, () -> chart(List.of(new Bar("", "x", -1, 0))));
    }

    @Test
    void the_overview_charts_label_hours_and_series() {
        Instant now = Instant.parse("2026-11-28T09:20:00Z");
        List<ExpiryBucket> exp = new ArrayList<>();
        List<OutcomeBucket> out = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            exp.add(new ExpiryBucket(now.plus(Duration.ofHours(i)), i == 2 ? 5 : 0, i == 2 ? 1 : 0));
            out.add(new OutcomeBucket(Instant.parse("2026-11-27T10:00:00Z").plus(Duration.ofHours(i)), 1, 0, 0, 0));
        }
        Chart e = OpsCharts.expiries(exp);
        assertTrue(e.svg().toString().contains("<title>in 2–3 h (11:20–12:20 UTC): active 5, refresh failing 1</title>"),
                e.svg().toString());
        assertTrue(e.svg().toString().contains(">+6 h</text>"));
        Chart o = OpsCharts.outcomes(out);
        assertEquals(24, o.total());
        assertTrue(o.table().toString().contains("<th scope=\"row\">2026-11-28 09:00–10:00</th>"), o.table().toString());
        assertTrue(o.svg().toString().contains(">12:00</text>"), o.svg().toString());
    }
}
