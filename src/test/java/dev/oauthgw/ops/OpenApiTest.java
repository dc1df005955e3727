package dev.oauthgw.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** OpenAPI documents the admin and token APIs with their bearer-JWT security, and leaves pages and the sandbox out. */
@QuarkusTest
class OpenApiTest {

    @Test
    void every_api_is_documented_with_its_security() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body(containsString("\"/admin/partners/{id}/grant/refresh\""))
                .body(containsString("\"/admin/partners/{id}/grant/disconnect\""))
                .body(containsString("\"/admin/partners/{id}/reauthorization-links\""))
                .body(containsString("\"/admin/grants\""))
                .body(containsString("\"/tokens/{partnerId}\""))
                .body(containsString("\"/admin/crypto/keys\""))
                .body(containsString("\"jwt\""))
                .body(containsString("\"bearer\""))
                .body(not(containsString("\"/sandbox/")))
                .body(not(containsString("\"/ops/grants\"")));
    }
}
