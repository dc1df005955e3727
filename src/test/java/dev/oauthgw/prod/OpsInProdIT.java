package dev.oauthgw.prod;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.PackagedJarTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The packaged jar in prod: the dashboard is closed to anonymous browsers, opens for a configured account only.
 * (Metrics and OpenAPI are on the management port: {@link FailClosedInProdIT}.)
 */
@PackagedJarTest
@QuarkusIntegrationTest
@QuarkusTestResource(value = ProdConfigResource.class, restrictToAnnotatedClass = true)
class OpsInProdIT {

    private static Response signIn(String user, String password) {
        return given().redirects().follow(false).contentType(ContentType.URLENC).formParam("j_username", user)
                .formParam("j_password", password).post("/j_security_check");
    }

    @Test
    void the_dashboard_needs_a_configured_account() {
        given().redirects().follow(false).get("/ops").then().statusCode(302).header("Location", endsWith("/ops/login"));
        Response dev = signIn("operator", "operator-dev-password");
        assertEquals(302, dev.statusCode());
        assertEquals(null, dev.getCookie("__Host-gw_ops_session"), "no dev account in prod");
        Response ok = signIn(ProdConfig.OPS_USER, ProdConfig.OPS_PASSWORD);
        assertEquals(302, ok.statusCode());
        // prod's cookies are Secure, so the browser gets them __Host- prefixed (ops.dashboard.OpsHostCookies)
        String session = ok.getCookie("__Host-gw_ops_session");
        assertNotNull(session);
        given().redirects().follow(false).cookie("__Host-gw_ops_session", session).get("/ops").then().statusCode(200)
                .body(containsString("Overview"));
    }
}
