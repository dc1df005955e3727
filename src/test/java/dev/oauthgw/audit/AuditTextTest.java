package dev.oauthgw.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** What goes into an audit column, without Quarkus. */
class AuditTextTest {

    @Test
    void control_characters_become_question_marks() {
        assertEquals("a?b?c?", AuditText.bounded("a\u0000b\nc\u001b", 10));
    }

    @Test
    void text_longer_than_the_column_is_cut_and_marked() {
        assertEquals("abcd~", AuditText.bounded("abcdefgh", 5));
        assertEquals("abcde", AuditText.bounded("abcde", 5));
        assertEquals("", AuditText.bounded("", 5));
        assertNull(AuditText.bounded(null, 5));
    }
}
