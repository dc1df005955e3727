package dev.oauthgw.ops.dashboard;

import java.util.List;
import java.util.Locale;

import io.quarkus.qute.RawString;

/**
 * A stacked bar chart as server-rendered inline SVG, with its data as a plain HTML table for screen readers and
 * for reading exact numbers: no script, no inline event handler, colours from the dashboard's CSS classes
 * ({@code .chart .s-<series>}). Pure: the same data gives the same markup; every text is escaped.
 * <p>
 * The y axis runs from 0 to a "nice" maximum (1, 2 or 5 times a power of ten) at or above the tallest bar; a
 * non-zero segment is at least one pixel high, so one huge bucket does not make the others vanish. With no data at
 * all the chart says so instead of drawing empty bars.
 */
public final class SvgBarChart {

    static final int WIDTH = 720;
    static final int HEIGHT = 220;
    static final int LEFT = 44;
    static final int RIGHT = 8;
    static final int TOP = 26;
    static final int BOTTOM = 24;
    static final double PLOT_W = WIDTH - LEFT - RIGHT;
    static final double PLOT_H = HEIGHT - TOP - BOTTOM;

    /** One stacked series: its name as shown and its CSS class suffix ({@code s-<key>}), a simple token. */
    public record Series(String name, String key) {
        public Series {
            if (!key.matches("[a-z][a-z0-9-]*")) {
                throw new IllegalArgumentException("series key must be a CSS class token: " + key);
            }
        }
    }

    /**
     * One bar: the axis label (blank: none shown), the full label (its tooltip and table row), one value per series.
     */
    public record Bar(String axisLabel, String label, long... values) {
        long total() {
            long t = 0;
            for (long v : values) {
                t += v;
            }
            return t;
        }
    }

    /** The chart's markup, ready for a Qute template ({@code RawString}: built escaped here). */
    public record Chart(RawString svg, RawString table, long max, long total) {
    }

    private SvgBarChart() {
    }

    /**
     * @param id      a unique element id prefix ({@code [a-z][a-z0-9-]*})
     * @param title   what the chart shows (the SVG's title, the table's caption)
     * @param desc    how to read it (the SVG's description)
     * @param xHeader the table's first column header
     */
    public static Chart render(String id, String title, String desc, String xHeader, List<Series> series,
            List<Bar> bars) {
        if (!id.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("id must be a simple token: " + id);
        }
        for (Bar b : bars) {
            if (b.values().length != series.size()) {
                throw new IllegalArgumentException("every bar needs one value per series");
            }
            for (long v : b.values()) {
                if (v < 0) {
                    throw new IllegalArgumentException("values must not be negative");
                }
            }
        }
        long max = bars.stream().mapToLong(Bar::total).max().orElse(0);
        long total = bars.stream().mapToLong(Bar::total).sum();
        long top = niceCeiling(max);
        return new Chart(new RawString(svg(id, title, desc, series, bars, max, top, total)),
                new RawString(table(id, title, xHeader, series, bars)), max, total);
    }

    /** The smallest 1, 2 or 5 times a power of ten at or above {@code v} (1 for 0). */
    static long niceCeiling(long v) {
        if (v <= 1) {
            return 1;
        }
        long p = 1;
        while (true) {
            for (long m : new long[] { 1, 2, 5 }) {
                if (m * p >= v) {
                    return m * p;
                }
            }
            if (p > Long.MAX_VALUE / 100) {
                return v;
            }
            p *= 10;
        }
    }

    /** The height in pixels of {@code v} on a y axis up to {@code top}: at least 1 for any non-zero value. */
    static double height(long v, long top) {
        if (v <= 0) {
            return 0;
        }
        return Math.max(1.0, PLOT_H * v / top);
    }

    private static String svg(String id, String title, String desc, List<Series> series, List<Bar> bars, long max,
            long top, long total) {
        StringBuilder s = new StringBuilder(8192);
        s.append("<svg class=\"chart\" id=\"").append(id).append("\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(WIDTH).append(' ').append(HEIGHT).append("\" role=\"img\" aria-labelledby=\"").append(id)
                .append("-title ").append(id).append("-desc\" data-max=\"").append(max).append("\" data-total=\"")
                .append(total).append("\" data-top=\"").append(top).append("\">");
        s.append("<title id=\"").append(id).append("-title\">").append(esc(title)).append("</title>");
        s.append("<desc id=\"").append(id).append("-desc\">").append(esc(desc)).append(' ')
                .append(esc(total == 0 ? "No data in this period." : "Total " + total + "; the tallest bar is " + max + "."))
                .append("</desc>");
        // legend
        double lx = LEFT;
        for (Series se : series) {
            s.append("<rect class=\"swatch s-").append(se.key()).append("\" x=\"").append(num(lx)).append("\" y=\"6\" width=\"10\" height=\"10\"/>");
            s.append("<text class=\"legend\" x=\"").append(num(lx + 14)).append("\" y=\"15\">").append(esc(se.name())).append("</text>");
            lx += 26 + 7.4 * se.name().length();
        }
        // y axis: grid lines at 0, half and the top
        for (long tick : new long[] { 0, top / 2 == 0 || top % 2 != 0 ? -1 : top / 2, top }) {
            if (tick < 0) {
                continue;
            }
            double y = TOP + PLOT_H - PLOT_H * tick / top;
            s.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"")
                    .append(num(y)).append("\" y2=\"").append(num(y)).append("\"/>");
            s.append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(num(y + 4))
                    .append("\" text-anchor=\"end\">").append(tick).append("</text>");
        }
        double slot = bars.isEmpty() ? PLOT_W : PLOT_W / bars.size();
        double width = Math.max(1, slot * 0.78);
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double x = LEFT + i * slot + (slot - width) / 2;
            s.append("<g class=\"bucket\" data-index=\"").append(i).append("\" data-total=\"").append(b.total()).append("\">");
            StringBuilder tip = new StringBuilder(b.label()).append(": ");
            for (int k = 0; k < series.size(); k++) {
                tip.append(k == 0 ? "" : ", ").append(series.get(k).name()).append(' ').append(b.values()[k]);
            }
            s.append("<title>").append(esc(tip.toString())).append("</title>");
            double y = TOP + PLOT_H;
            for (int k = 0; k < series.size(); k++) {
                long v = b.values()[k];
                if (v == 0) {
                    continue;
                }
                double h = height(v, top);
                y -= h;
                s.append("<rect class=\"bar s-").append(series.get(k).key()).append("\" data-series=\"")
                        .append(series.get(k).key()).append("\" data-value=\"").append(v).append("\" x=\"").append(num(x))
                        .append("\" y=\"").append(num(y)).append("\" width=\"").append(num(width)).append("\" height=\"")
                        .append(num(h)).append("\"/>");
            }
            s.append("</g>");
            if (b.axisLabel() != null && !b.axisLabel().isBlank()) {
                s.append("<text class=\"axis\" x=\"").append(num(LEFT + i * slot + slot / 2)).append("\" y=\"")
                        .append(HEIGHT - 6).append("\" text-anchor=\"middle\">").append(esc(b.axisLabel())).append("</text>");
            }
        }
        if (total == 0) {
            s.append("<text class=\"empty\" x=\"").append(num(LEFT + PLOT_W / 2)).append("\" y=\"")
                    .append(num(TOP + PLOT_H / 2)).append("\" text-anchor=\"middle\">No data in this period</text>");
        }
        s.append("</svg>");
        return s.toString();
    }

    private static String table(String id, String title, String xHeader, List<Series> series, List<Bar> bars) {
        StringBuilder t = new StringBuilder(4096);
        t.append("<table class=\"chart-data\" id=\"").append(id).append("-data\"><caption>").append(esc(title))
                .append("</caption><tr><th scope=\"col\">").append(esc(xHeader)).append("</th>");
        for (Series se : series) {
            t.append("<th scope=\"col\">").append(esc(se.name())).append("</th>");
        }
        t.append("</tr>");
        for (Bar b : bars) {
            t.append("<tr><th scope=\"row\">").append(esc(b.label())).append("</th>");
            for (long v : b.values()) {
                t.append("<td>").append(v).append("</td>");
            }
            t.append("</tr>");
        }
        return t.append("</table>").toString();
    }

    /** Escaped for HTML/SVG text and double- or single-quoted attributes. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String num(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }
}
