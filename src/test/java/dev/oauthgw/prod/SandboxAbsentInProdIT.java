package dev.oauthgw.prod;

import static io.restassured.RestAssured.given;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.PackagedJarTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The packaged application in the prod profile: up, and no sandbox endpoint anywhere. */
@PackagedJarTest
@QuarkusIntegrationTest
@QuarkusTestResource(value = ProdConfigResource.class, restrictToAnnotatedClass = true)
class SandboxAbsentInProdIT {

    @Test
    void the_prod_jar_starts_and_answers() {
        // readiness is on the management port (FailClosedInProdIT); the public port answers the sign-in page
        given().get("/ops/login").then().statusCode(200);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/sandbox/authorize?client_id=gateway-sandbox", "/sandbox/v1/companies",
            "/sandbox/control/counters", "/sandbox/dev-jwt" })
    void sandbox_get_endpoints_do_not_exist(String path) {
        given().get(path).then().statusCode(404);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/sandbox/v1/token", "/sandbox/oauth/revoke", "/sandbox/authorize/decision",
            "/sandbox/dev-jwt", "/sandbox/control/reset" })
    void sandbox_post_endpoints_do_not_exist(String path) {
        given().contentType("application/json").body("{\"grant_type\":\"client_credentials\"}").post(path)
                .then().statusCode(404);
    }

    @Test
    void admin_api_refuses_anonymous_callers() {
        given().get("/admin/partners").then().statusCode(401);
    }
}
