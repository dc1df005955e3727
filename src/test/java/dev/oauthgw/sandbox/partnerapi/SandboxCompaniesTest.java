package dev.oauthgw.sandbox.partnerapi;

import static dev.oauthgw.sandbox.Sandbox.CLIENT_ID;
import static dev.oauthgw.sandbox.Sandbox.CLIENT_SECRET;
import static dev.oauthgw.sandbox.Sandbox.SCOPE;
import static dev.oauthgw.sandbox.Sandbox.companies;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.Sandbox;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.control.SandboxReset;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

@QuarkusTest
class SandboxCompaniesTest {

    @Inject
    SandboxReset reset;

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxPartners partners;

    @Inject
    SandboxCounters counters;

    @BeforeEach
    void fresh() {
        reset.everything();
    }

    private String accessToken(String partner) {
        return Sandbox.grant(grants, partner, SCOPE).then().statusCode(200).extract().path("access_token");
    }

    private static void assertPax8Unauthorized(ValidatableResponse r) {
        r.statusCode(401).contentType(containsString("application/json"))
                .body("type", notNullValue()).body("message", equalTo("Unauthorized"))
                .body("instance", equalTo("/v1/companies")).body("status", equalTo(401))
                .body("details", notNullValue());
    }

    @Test
    void without_a_bearer_token_the_answer_is_401_with_a_pax8_error_body() {
        assertPax8Unauthorized(given().get("/sandbox/v1/companies").then());
    }

    @Test
    void with_an_unknown_or_tampered_bearer_token_the_answer_is_401() {
        assertPax8Unauthorized(companies("not-a-token").then());
        String token = accessToken("acme");
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        assertPax8Unauthorized(companies(tampered).then());
        assertPax8Unauthorized(given().header("Authorization", "Basic " + token).get("/sandbox/v1/companies").then());
    }

    @Test
    void a_client_credentials_token_is_not_enough_even_for_the_partner_api_audience() {
        for (String audience : List.of("api://provisioning", "https://api.pax8.com")) {
            String token = Sandbox.tokenJson(Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID,
                    "client_secret", CLIENT_SECRET, "audience", audience)).then().statusCode(200)
                    .extract().path("access_token");
            assertPax8Unauthorized(companies(token).then());
        }
    }

    @Test
    void a_delegated_token_lists_the_companies_of_its_partner() {
        ValidatableResponse r = companies(accessToken("acme")).then().statusCode(200)
                .body("content", hasSize(3))
                .body("content.name", everyItem(containsString("Acme IT Services")))
                .body("content.status", everyItem(equalTo("Active")))
                .body("content[0].id", notNullValue()).body("content[0].city", notNullValue())
                .body("content[0].country", notNullValue()).body("content[0].phone", notNullValue())
                .body("content[0].website", notNullValue()).body("content[0].billOnBehalfOfEnabled", notNullValue())
                .body("content[0].selfServiceAllowed", notNullValue())
                .body("content[0].orderApprovalRequired", notNullValue())
                .body("content[0].updatedDate", notNullValue())
                .body("page.size", equalTo(10)).body("page.totalElements", equalTo(3))
                .body("page.totalPages", equalTo(1)).body("page.number", equalTo(0));
        List<String> acmeIds = r.extract().path("content.id");
        // deterministic: the same partner gets the same companies with another token
        assertEquals(acmeIds, companies(accessToken("acme")).then().extract().path("content.id"));
        List<String> globexIds = companies(accessToken("globex")).then().statusCode(200)
                .body("content.name", everyItem(containsString("Globex"))).extract().path("content.id");
        assertNotEquals(acmeIds, globexIds);
    }

    @Test
    void companies_are_paged_like_pax8() {
        partners.register("bigco", "Big Co Partners", null, 25);
        String token = accessToken("bigco");
        given().auth().oauth2(token).queryParam("page", 2).queryParam("size", 10).get("/sandbox/v1/companies")
                .then().statusCode(200).body("content", hasSize(5))
                .body("content[0].name", equalTo("Big Co Partners Client 21"))
                .body("page.size", equalTo(10)).body("page.totalElements", equalTo(25))
                .body("page.totalPages", equalTo(3)).body("page.number", equalTo(2));
        given().auth().oauth2(token).queryParam("page", 3).queryParam("size", 10).get("/sandbox/v1/companies")
                .then().statusCode(200).body("content", empty());
        given().auth().oauth2(token).queryParam("size", 1).get("/sandbox/v1/companies")
                .then().statusCode(200).body("content", hasSize(1)).body("page.totalPages", equalTo(25));
        given().auth().oauth2(token).queryParam("size", 200).get("/sandbox/v1/companies")
                .then().statusCode(200).body("content", hasSize(25));
    }

    @Test
    void a_page_size_above_200_or_a_bad_page_is_a_400() {
        String token = accessToken("acme");
        for (Map<String, Object> q : List.<Map<String, Object>>of(Map.of("size", 201), Map.of("size", 0),
                Map.of("size", "ten"), Map.of("page", -1), Map.of("page", "x"))) {
            given().auth().oauth2(token).queryParams(q).get("/sandbox/v1/companies")
                    .then().statusCode(400).body("status", equalTo(400)).body("instance", equalTo("/v1/companies"));
        }
    }

    @Test
    void a_token_of_a_revoked_partner_gets_401_and_calls_are_counted() {
        String token = accessToken("initech");
        companies(token).then().statusCode(200);
        grants.revokePartner("initech");
        assertPax8Unauthorized(companies(token).then());
        assertEquals(2, counters.calls(SandboxCounters.Endpoint.COMPANIES));
    }
}
