package dev.oauthgw.ops.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.oauthgw.ops.signin.OpsPasswords;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** With Secure cookies (prod's setting), the dashboard's cookies reach the browser as __Host- cookies. */
@QuarkusTest
@TestProfile(HostCookiesSignInTest.SecureCookies.class)
class HostCookiesSignInTest {

    public static class SecureCookies implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.ops.secure-cookies", "true");
        }
    }

    @Test
    void session_and_csrf_cookies_are_host_prefixed_and_a_plain_named_copy_is_ignored() {
        Response in = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("j_username", OpsPasswords.DEV_USER).formParam("j_password", OpsPasswords.DEV_PASSWORD)
                .post("/j_security_check");
        assertEquals(302, in.statusCode());
        List<String> setCookies = in.headers().getValues("Set-Cookie");
        String session = in.getCookie("__Host-gw_ops_session");
        assertNotNull(session, setCookies.toString());
        assertNull(in.getCookie("gw_ops_session"));
        assertTrue(setCookies.stream().filter(c -> c.startsWith("__Host-gw_ops_session="))
                .allMatch(c -> c.contains("Secure") && c.contains("Path=/") && !c.contains("Domain")), setCookies.toString());

        Response page = given().redirects().follow(false).cookie("__Host-gw_ops_session", session).get("/ops");
        assertEquals(200, page.statusCode());
        String csrf = page.getCookie("__Host-gw_ops_csrf");
        assertNotNull(csrf, page.headers().getValues("Set-Cookie").toString());
        assertTrue(page.headers().getValues("Set-Cookie").stream().filter(c -> c.startsWith("__Host-gw_ops_csrf="))
                .allMatch(c -> c.contains("Secure") && c.contains("Path=/;") || c.endsWith("Path=/")));

        // the same session under the plain name (as anyone on a sibling subdomain could set it) opens nothing
        given().redirects().follow(false).cookie("gw_ops_session", session).get("/ops").then().statusCode(302)
                .header("Location", endsWith("/ops/login"));
    }
}
