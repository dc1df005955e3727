package dev.oauthgw.ops.dashboard;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import dev.oauthgw.ops.admin.ChartQueryService.ExpiryBucket;
import dev.oauthgw.ops.admin.ChartQueryService.OutcomeBucket;
import dev.oauthgw.ops.dashboard.SvgBarChart.Bar;
import dev.oauthgw.ops.dashboard.SvgBarChart.Chart;
import dev.oauthgw.ops.dashboard.SvgBarChart.Series;

/** The overview's two charts, from the buckets of {@link dev.oauthgw.ops.admin.ChartQueryService}. */
final class OpsCharts {

    static final List<Series> EXPIRY_SERIES = List.of(new Series("active", "active"),
            new Series("refresh failing", "failing"));
    static final List<Series> OUTCOME_SERIES = List.of(new Series("refreshed", "success"),
            new Series("transient failure", "transient"), new Series("re-authorization required", "reauth"),
            new Series("other failure", "other"));

    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY_HM = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private OpsCharts() {
    }

    static Chart expiries(List<ExpiryBucket> buckets) {
        List<Bar> bars = new ArrayList<>(buckets.size());
        for (int i = 0; i < buckets.size(); i++) {
            ExpiryBucket b = buckets.get(i);
            String axis = i % 6 == 0 ? (i == 0 ? "now" : "+" + i + " h") : "";
            String label = "in " + i + "–" + (i + 1) + " h (" + HM.format(b.from()) + "–"
                    + HM.format(b.from().plus(Duration.ofHours(1))) + " UTC)";
            bars.add(new Bar(axis, label, b.active(), b.refreshFailing()));
        }
        return SvgBarChart.render("chart-expiries", "Access-token expiries in the next 24 hours",
                "Grants whose access token expires in each of the next 24 hours, stacked by state: active, refresh failing. "
                        + "The refresher renews them before they expire; a tall bar of failing grants is what to watch.",
                "Expires", EXPIRY_SERIES, bars);
    }

    static Chart outcomes(List<OutcomeBucket> buckets) {
        List<Bar> bars = new ArrayList<>(buckets.size());
        for (OutcomeBucket b : buckets) {
            int hour = b.from().atZone(ZoneOffset.UTC).getHour();
            String axis = hour % 4 == 0 ? HM.format(b.from()) : "";
            String label = DAY_HM.format(b.from()) + "–" + HM.format(b.from().plus(Duration.ofHours(1))); // UTC: in the header
            bars.add(new Bar(axis, label, b.success(), b.transientFailure(), b.reauthRequired(), b.otherFailure()));
        }
        return SvgBarChart.render("chart-outcomes", "Refresh outcomes in the last 24 hours",
                "Refresh attempts per clock hour (UTC), the current hour last, stacked by outcome: refreshed, transient "
                        + "failure (retried), re-authorization required (the provider refused the grant), other failure.",
                "Hour (UTC)", OUTCOME_SERIES, bars);
    }
}
