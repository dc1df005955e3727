package dev.oauthgw.common;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.quarkus.qute.TemplateExtension;

/** Formats for pages: instants as readable UTC dates. */
@TemplateExtension
public class TemplateFormats {

    private static final DateTimeFormatter READABLE = DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm 'UTC'",
            Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** {@code {link.expiresAt.readable}} */
    static String readable(Instant instant) {
        return instant == null ? "-" : READABLE.format(instant);
    }
}
