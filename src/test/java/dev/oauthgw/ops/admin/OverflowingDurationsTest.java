package dev.oauthgw.ops.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.OnboardingDriver;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.tokens.TokensResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Durations in query parameters and bodies that parse but overflow what the gateway can compute with (an
 * instant past the year PostgreSQL stores, past {@link java.time.Instant#MAX}) answer 400 problem+json and
 * change nothing, never 500.
 */
@QuarkusTest
class OverflowingDurationsTest {

    @Inject
    GrantFactory grants;
    @Inject
    Db db;

    @ParameterizedTest
    @ValueSource(strings = { "PT999999999999H", "P999999999D", "PT9223372036854775807S", "PT-9223372036854775808S",
            "PT99999999999999999999H" })
    void min_valid_that_overflows_is_a_400(String minValid) {
        GrantFactory.Made g = grants.create("ovf");
        given().auth().oauth2(TestJwt.withRoles("svc-overflow", TokensResource.ROLE)).queryParam("min_valid", minValid)
                .get("/tokens/" + g.partnerId()).then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("status", equalTo(400))
                .body(not(containsString("Exception")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "PT999999999999H", "P999999999D", "PT9223372036854775807S", "PT-1H" })
    void expiring_within_that_overflows_is_a_400(String within) {
        given().auth().oauth2(TestJwt.ops()).queryParam("filter", "expiring").queryParam("within", within)
                .get("/admin/grants").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body(not(containsString("Exception")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "PT999999999999H", "P999999999D", "PT9223372036854775807S", "PT99999999999999999999H" })
    void link_validity_that_overflows_is_a_400_and_creates_no_link(String validFor) {
        String partner = OnboardingDriver.newPartner("Overflow Partner");
        long before = db.count("select count(*) from onboarding_link where partner_id = ?", partner);
        given().auth().oauth2(TestJwt.ops()).contentType("application/json").body(Map.of("valid_for", validFor))
                .post("/admin/partners/" + partner + "/onboarding-links").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body(not(containsString("Exception")));
        assertEquals(before, db.count("select count(*) from onboarding_link where partner_id = ?", partner));
    }

    @ParameterizedTest
    @ValueSource(strings = { "PT999999999999H", "P999999999D", "PT9223372036854775807S" })
    void reauthorization_link_validity_that_overflows_is_a_400(String validFor) {
        GrantFactory.Made g = grants.create("ovf-re");
        given().auth().oauth2(TestJwt.ops()).contentType("application/json").body(Map.of("valid_for", validFor))
                .post("/admin/partners/" + g.partnerId() + "/reauthorization-links").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body(not(containsString("Exception")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "p", "x" })
    void a_provider_account_id_longer_than_its_column_is_a_400_and_creates_no_partner(String c) {
        String id = "ovf-" + c + System.nanoTime();
        given().auth().oauth2(TestJwt.ops()).contentType("application/json")
                .body(Map.of("id", id, "display_name", "Too Long", "provider_account_id", c.repeat(256)))
                .post("/admin/partners").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body(not(containsString("Exception")));
        assertEquals(0, db.count("select count(*) from partner where id = ?", id));
    }
}
