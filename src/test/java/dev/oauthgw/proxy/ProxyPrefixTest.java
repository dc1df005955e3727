package dev.oauthgw.proxy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.oauthgw.badinput.RawHttp;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.testing.GrantFactory;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/** Another path prefix: the proxy answers under it (with the same checks) and no longer under /proxy. */
@QuarkusTest
@TestProfile(ProxyPrefixTest.OtherPrefix.class)
class ProxyPrefixTest {

    public static class OtherPrefix implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.proxy.prefix", "pax8-api");
        }
    }

    @Inject
    GrantFactory grants;
    @Inject
    SandboxCounters counters;

    @Test
    void the_proxy_answers_under_the_configured_prefix_only() {
        GrantFactory.Made p = grants.create("pfx");
        counters.reset();
        given().auth().oauth2(ProxyApiTest.caller()).get("/pax8-api/" + p.partnerId() + "/v1/companies?size=1").then()
                .statusCode(200).header(ProxyHeaders.SOURCE, "provider");
        given().when().get("/pax8-api/" + p.partnerId() + "/v1/companies").then().statusCode(401);
        given().auth().oauth2(ProxyApiTest.caller()).get("/proxy/" + p.partnerId() + "/v1/companies").then()
                .statusCode(404);
        RawHttp.Answer a = RawHttp.send("GET", "/pax8-api/" + p.partnerId() + "/v1/%2e%2e/x",
                List.of("Authorization: Bearer " + ProxyApiTest.caller()), null);
        assertEquals(400, a.status(), a.body());
        assertTrue(a.body().contains("proxy-target-refused"), a.body());
        assertEquals(1, counters.calls(SandboxCounters.Endpoint.PARTNER_API));
    }
}
