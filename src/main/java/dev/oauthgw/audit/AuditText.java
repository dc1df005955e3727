package dev.oauthgw.audit;

/**
 * What goes into an audit column: no NUL or other control characters (PostgreSQL refuses NUL in text, and
 * control characters forge log lines where records are shown) and never longer than the column.
 */
public final class AuditText {

    private AuditText() {
    }

    /** {@code s} with control characters replaced by {@code ?}, cut to {@code max} characters; null stays null. */
    public static String bounded(String s, int max) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        if (b.length() == max && s.length() > max) {
            b.setCharAt(max - 1, '~'); // says "cut here" without a multi-byte ellipsis
        }
        return b.toString();
    }
}
