package dev.oauthgw.ops.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.testing.Urls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

@QuarkusTest
class AdminPartnerApiTest {

    @Inject
    Db db;

    private static String newId() {
        return "partner-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String create(String id, String name) {
        return given().auth().oauth2(TestJwt.ops()).contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\",\"display_name\":\"" + name + "\"}")
                .post("/admin/partners").then().statusCode(201)
                .header("Location", endsWith("/admin/partners/" + id))
                .body("id", equalTo(id)).body("display_name", equalTo(name))
                .extract().path("id");
    }

    @Test
    void operator_creates_reads_and_lists_partners() {
        String id = newId();
        create(id, "Contoso MSP");
        given().auth().oauth2(TestJwt.ops()).get("/admin/partners/" + id).then().statusCode(200)
                .body("display_name", equalTo("Contoso MSP")).body("created_at", notNullValue());
        given().auth().oauth2(TestJwt.ops()).queryParam("size", 200).get("/admin/partners").then().statusCode(200)
                .body("content.id", hasItem(id));
        assertEquals("alice@vendor.test",
                db.one("select actor from audit_event where partner_id = ? and action = 'PARTNER_CREATED'", id)
                        .get("actor"));
    }

    @Test
    void creating_a_partner_twice_is_a_conflict_and_changes_nothing() {
        String id = newId();
        create(id, "First");
        given().auth().oauth2(TestJwt.ops()).contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\",\"display_name\":\"Second\"}")
                .post("/admin/partners").then().statusCode(409)
                .contentType("application/problem+json").body("type", endsWith("/partner-exists"))
                .body("request_id", notNullValue());
        assertEquals("First", db.one("select display_name from partner where id = ?", id).get("display_name"));
    }

    @Test
    void invalid_partner_input_is_a_clear_400() {
        given().auth().oauth2(TestJwt.ops()).contentType(ContentType.JSON)
                .body("{\"id\":\"has spaces!\",\"display_name\":\"\"}")
                .post("/admin/partners").then().statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", hasItem("id")).body("violations.field", hasItem("displayName"));
        given().auth().oauth2(TestJwt.ops()).contentType(ContentType.JSON).body("{not json")
                .post("/admin/partners").then().statusCode(400).contentType("application/problem+json");
        assertEquals(0, db.count("select count(*) from partner where id = 'has spaces!'"));
    }

    @Test
    void unknown_partner_is_404_problem() {
        given().auth().oauth2(TestJwt.ops()).get("/admin/partners/nobody-" + UUID.randomUUID()).then()
                .statusCode(404).contentType("application/problem+json").body("title", equalTo("Not found"));
        given().auth().oauth2(TestJwt.ops()).contentType(ContentType.JSON).body("{}")
                .post("/admin/partners/nobody/onboarding-links").then().statusCode(404);
    }

    @Test
    void onboarding_link_is_signed_expiring_and_audited() {
        String id = newId();
        create(id, "Link Partner");
        Instant before = Instant.now();
        String expires = given().auth().oauth2(TestJwt.ops()).contentType(ContentType.JSON).body("{}")
                .post("/admin/partners/" + id + "/onboarding-links").then().statusCode(201)
                .body("url", startsWith(Urls.publicUrl() + "/onboarding/"))
                .body("partner_id", equalTo(id)).extract().path("expires_at");
        Duration validity = Duration.between(before, Instant.parse(expires));
        assertEquals(7, Math.round(validity.toHours() / 24.0), "7 days by default");
        assertEquals(1, db.count("select count(*) from audit_event where partner_id = ? and action = 'LINK_CREATED'", id));
    }

    @Test
    void link_validity_must_be_a_sane_duration() {
        String id = newId();
        create(id, "Validity Partner");
        for (String bad : new String[] { "\"soon\"", "\"P90D\"", "\"-PT1H\"" }) {
            given().auth().oauth2(TestJwt.ops()).contentType(ContentType.JSON).body("{\"valid_for\":" + bad + "}")
                    .post("/admin/partners/" + id + "/onboarding-links").then().statusCode(400)
                    .contentType("application/problem+json");
        }
        assertEquals(0, db.count("select count(*) from onboarding_link where partner_id = ?", id));
    }

    @Test
    void grant_status_is_404_before_onboarding() {
        String id = newId();
        create(id, "No Grant Yet");
        given().auth().oauth2(TestJwt.ops()).get("/admin/partners/" + id + "/grant").then().statusCode(404)
                .body("detail", containsString("no grant"));
    }

    static String[] rejectedTokens() {
        return new String[] { TestJwt.expired("ops"), TestJwt.tampered(), TestJwt.wrongIssuer("ops"),
                TestJwt.wrongAudience("ops"), "not.a.jwt" };
    }

    @Test
    void no_jwt_is_401_problem() {
        given().get("/admin/partners").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"));
        given().contentType(ContentType.JSON).body("{\"id\":\"x1\",\"display_name\":\"X\"}").post("/admin/partners")
                .then().statusCode(401);
        assertEquals(0, db.count("select count(*) from partner where id = 'x1'"));
    }

    @ParameterizedTest
    @MethodSource("rejectedTokens")
    void expired_tampered_wrong_issuer_or_audience_jwt_is_401(String jwt) {
        String id = newId();
        given().auth().oauth2(jwt).contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\",\"display_name\":\"X\"}").post("/admin/partners")
                .then().statusCode(401).contentType("application/problem+json");
        assertEquals(0, db.count("select count(*) from partner where id = ?", id));
    }

    @Test
    void wrong_role_is_403() {
        String id = newId();
        given().auth().oauth2(TestJwt.withRoles("svc-billing", "tokens:read")).contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\",\"display_name\":\"X\"}").post("/admin/partners")
                .then().statusCode(403).contentType("application/problem+json");
        assertEquals(0, db.count("select count(*) from partner where id = ?", id));
    }
}
