package dev.oauthgw.tokens;

import static dev.oauthgw.tokens.PartnersClaim.Verdict.ALLOWED;
import static dev.oauthgw.tokens.PartnersClaim.Verdict.MISSING;
import static dev.oauthgw.tokens.PartnersClaim.Verdict.NOT_LISTED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import jakarta.json.Json;

/** The partners claim rule, as prod applies it (required) and as dev and tests do (not required). */
class PartnersClaimTest {

    @Test
    void without_the_claim_a_caller_reads_nothing_where_the_claim_is_required() {
        assertEquals(MISSING, PartnersClaim.check(null, "acme", true));
        assertEquals(MISSING, PartnersClaim.check(jakarta.json.JsonValue.NULL, "acme", true));
    }

    @Test
    void without_the_claim_a_caller_reads_everything_where_it_is_not_required() {
        assertEquals(ALLOWED, PartnersClaim.check(null, "acme", false));
    }

    @Test
    void a_star_allows_every_partner() {
        assertEquals(ALLOWED, PartnersClaim.check(Json.createArrayBuilder().add("*").build(), "acme", true));
        assertEquals(ALLOWED, PartnersClaim.check(Json.createValue("*"), "globex", true));
        assertEquals(ALLOWED, PartnersClaim.check(Set.of("\"*\""), "globex", true));
    }

    @Test
    void a_listed_partner_is_allowed_and_another_is_not() {
        Object array = Json.createArrayBuilder().add("globex").add("acme").build();
        assertEquals(ALLOWED, PartnersClaim.check(array, "acme", true));
        assertEquals(NOT_LISTED, PartnersClaim.check(array, "initech", true));
        assertEquals(NOT_LISTED, PartnersClaim.check(array, "initech", false));
        assertEquals(ALLOWED, PartnersClaim.check(List.of("acme"), "acme", true));
        assertEquals(ALLOWED, PartnersClaim.check(Json.createValue("globex, acme"), "acme", true));
        assertEquals(NOT_LISTED, PartnersClaim.check("globex acme", "acm", true));
    }

    @Test
    void an_empty_claim_names_nobody_and_is_not_a_star() {
        assertEquals(NOT_LISTED, PartnersClaim.check(Json.createArrayBuilder().build(), "acme", true));
        assertEquals(NOT_LISTED, PartnersClaim.check(Json.createArrayBuilder().build(), "acme", false));
        assertEquals(NOT_LISTED, PartnersClaim.check("", "acme", true));
    }

    @Test
    void a_star_inside_a_partner_id_is_not_a_wildcard() {
        assertEquals(NOT_LISTED, PartnersClaim.check(Json.createArrayBuilder().add("acme*").build(), "acme-2", true));
        assertEquals(NOT_LISTED, PartnersClaim.check(Json.createArrayBuilder().add(42).build(), "42", true));
    }
}
