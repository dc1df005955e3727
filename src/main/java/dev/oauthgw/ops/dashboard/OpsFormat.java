package dev.oauthgw.ops.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.quarkus.qute.TemplateExtension;

/** Dates and durations as the dashboard shows them: {@code {fmt:at(x)}}, {@code {fmt:rel(x)}}. Null shows a dash. */
@TemplateExtension(namespace = "fmt")
public class OpsFormat {

    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    static volatile Clock clock = Clock.systemUTC();

    static String at(Instant i) {
        return i == null ? "—" : AT.format(i);
    }

    /** "in 3 h 12 min", "5 min ago". */
    static String rel(Instant i) {
        if (i == null) {
            return "—";
        }
        Duration d = Duration.between(clock.instant(), i);
        String s = human(d.abs());
        return d.isNegative() ? s + " ago" : "in " + s;
    }

    static String dur(Duration d) {
        return d == null ? "—" : human(d);
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min";
        }
        if (s < 86400) {
            return (s / 3600) + " h" + ((s % 3600) / 60 == 0 ? "" : " " + (s % 3600) / 60 + " min");
        }
        return (s / 86400) + " d" + ((s % 86400) / 3600 == 0 ? "" : " " + (s % 86400) / 3600 + " h");
    }
}
