package dev.oauthgw.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.oauthgw.badinput.RawHttp;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.tokens.TokenService;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;

/** The proxy end to end against the sandbox Pax8: methods, target safety, headers, 401 once, errors, no token out. */
@QuarkusTest
class ProxyApiTest {

    @Inject
    GrantFactory grants;
    @Inject
    SandboxCounters counters;
    @Inject
    SandboxFaults faults;
    @Inject
    SandboxGrants sandboxGrants;
    @Inject
    TokenService tokens;
    @Inject
    ProxyAccessRecorder recorder;
    @Inject
    dev.oauthgw.audit.TokenAccessRecorder tokenRecorder;
    @Inject
    ProxyBudget budget;
    @Inject
    Db db;

    private GrantFactory.Made partner;

    @BeforeEach
    void setUp() {
        partner = grants.create("px");
        budget.override(null, null, null);
        counters.reset();
    }

    @AfterEach
    void clear() {
        faults.reset();
        budget.override(null, null, null);
    }

    static String caller() {
        return TestJwt.withRoles("svc-orders", ProxyResource.ROLE);
    }

    private String url(String path) {
        return "/proxy/" + partner.partnerId() + path;
    }

    private String token() {
        return tokens.tokenFor(partner.partnerId(), Optional.empty(), "test").accessToken();
    }

    private long apiCalls() {
        return counters.calls(SandboxCounters.Endpoint.PARTNER_API);
    }

    private void assertNoToken(Response r) {
        String token = token();
        assertFalse(r.asString().contains(token), "the partner token is in the body");
        r.getHeaders().forEach(h -> assertFalse(h.getValue().contains(token), "the partner token is in " + h.getName()));
    }

    // --- happy paths, one per method ------------------------------------------------------------------------------

    @Test
    void get_lists_the_partners_companies_with_pax8_paging() {
        Response r = given().auth().oauth2(caller()).when().get(url("/v1/companies?page=0&size=2"));
        r.then().statusCode(200).contentType(containsString("application/json"))
                .header(ProxyHeaders.SOURCE, "provider")
                .body("content", hasSize(2)).body("page.size", equalTo(2)).body("page.totalElements", equalTo(3))
                .body("page.totalPages", equalTo(2)).body("page.number", equalTo(0));
        assertNoToken(r);
        assertEquals(1, apiCalls());
    }

    @Test
    void get_one_company_products_subscriptions_and_orders() {
        String id = given().auth().oauth2(caller()).get(url("/v1/companies?size=1")).then().statusCode(200)
                .extract().path("content[0].id");
        given().auth().oauth2(caller()).get(url("/v1/companies/" + id)).then().statusCode(200).body("id", equalTo(id));
        given().auth().oauth2(caller()).get(url("/v1/products?page=1&size=5")).then().statusCode(200)
                .body("content", hasSize(5)).body("page.number", equalTo(1));
        given().auth().oauth2(caller()).get(url("/v1/subscriptions")).then().statusCode(200)
                .body("page.totalElements", equalTo(6));
        given().auth().oauth2(caller()).get(url("/v1/orders")).then().statusCode(200)
                .body("page.totalElements", equalTo(0));
        given().auth().oauth2(caller()).get(url("/v1/companies/00000000-0000-0000-0000-000000000000")).then()
                .statusCode(404).header(ProxyHeaders.SOURCE, "provider").body("status", equalTo(404));
    }

    @Test
    void post_places_an_order_and_put_updates_a_company() {
        String company = given().auth().oauth2(caller()).get(url("/v1/companies?size=1")).then().statusCode(200)
                .extract().path("content[0].id");
        Response placed = given().auth().oauth2(caller()).contentType("application/json")
                .body(Map.of("companyId", company, "lineItems", List.of(Map.of("productId", "p-1", "quantity", 3))))
                .when().post(url("/v1/orders"));
        placed.then().statusCode(200).header(ProxyHeaders.SOURCE, "provider").body("companyId", equalTo(company))
                .body("lineItems[0].quantity", equalTo(3));
        given().auth().oauth2(caller()).get(url("/v1/orders")).then().statusCode(200)
                .body("page.totalElements", equalTo(1));
        given().auth().oauth2(caller()).contentType("application/json").body(Map.of("phone", "+1-555-0000"))
                .when().put(url("/v1/companies/" + company)).then().statusCode(200)
                .body("id", equalTo(company)).body("phone", equalTo("+1-555-0000"));
        assertNoToken(placed);
    }

    @Test
    void a_method_the_registration_does_not_allow_is_refused_and_not_forwarded() {
        given().auth().oauth2(caller()).when().delete(url("/v1/sandbox-test/echo")).then().statusCode(405)
                .contentType(containsString("application/problem+json")).header(ProxyHeaders.SOURCE, "gateway")
                .body("source", equalTo("gateway")).body("type", containsString("method-not-allowed"));
        given().auth().oauth2(caller()).when().patch(url("/v1/sandbox-test/echo")).then().statusCode(405);
        assertEquals(0, apiCalls());
    }

    @Test
    void the_query_string_is_forwarded_as_sent() {
        given().auth().oauth2(caller()).urlEncodingEnabled(false)
                .get(url("/v1/sandbox-test/echo?page=0&size=5&status=Active&name=A%20B")).then().statusCode(200)
                .body("query", equalTo("page=0&size=5&status=Active&name=A%20B"))
                .body("path", equalTo("/sandbox/v1/sandbox-test/echo"));
    }

    // --- who may call -----------------------------------------------------------------------------------------------

    @Test
    void callers_need_a_jwt_the_role_and_the_partner_in_their_claim() {
        given().when().get(url("/v1/companies")).then().statusCode(401).header(ProxyHeaders.SOURCE, "gateway");
        given().auth().oauth2(TestJwt.withRoles("svc", "tokens:read")).get(url("/v1/companies")).then().statusCode(403);
        given().auth().oauth2(TestJwt.expired(ProxyResource.ROLE)).get(url("/v1/companies")).then().statusCode(401);
        String otherPartner = Jwt.issuer(TestJwt.ISSUER).audience(TestJwt.AUDIENCE).upn("svc-x")
                .groups(java.util.Set.of(ProxyResource.ROLE)).claim("partners", List.of("someone-else"))
                .expiresIn(300).sign();
        dev.oauthgw.testing.leaks.MintedSecrets.record(otherPartner);
        given().auth().oauth2(otherPartner).get(url("/v1/companies")).then().statusCode(403)
                .body("detail", containsString("partners"));
        String listed = dev.oauthgw.testing.leaks.MintedSecrets.record(Jwt.issuer(TestJwt.ISSUER)
                .audience(TestJwt.AUDIENCE).upn("svc-y").groups(java.util.Set.of(ProxyResource.ROLE))
                .claim("partners", List.of(partner.partnerId())).expiresIn(300).sign());
        given().auth().oauth2(listed).get(url("/v1/companies")).then().statusCode(200);
        assertEquals(1, apiCalls());
        given().auth().oauth2(caller()).get("/proxy/no-such-partner/v1/companies").then().statusCode(404)
                .header(ProxyHeaders.SOURCE, "gateway").body("source", equalTo("gateway"));
    }

    // --- the target is built, never taken from the caller ---------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = { "/v1/../admin/partners", "/v1/companies/..", "/v1/./companies", "/v1/%2e%2e/x",
            "/v1/%2E%2E/%2E%2E/admin", "/v1/.%2e/x", "/v1/companies%2F..%2F..%2Fadmin", "/v1/companies%2fx",
            "/v1/companies%5Cx", "/v1\\companies", "//evil.example/v1/companies", "/v1//companies",
            "/https://evil.example/x", "/@evil.example/v1", "/v1/companies@evil.example", "/v1/companies%00",
            "/v1/companies%0d%0aHost:%20evil", "/v1/companies%252e%252e", "/v1/comp%zzanies", "/v1/companies%",
            "/v1/companies#frag", "/v1/companies?q=%00", "/v1/companies?q=a\\b", "/v1/companies?%zz",
            "/v1/compa nies" })
    void a_target_that_leaves_the_api_or_hides_something_is_refused_and_nothing_is_forwarded(String path) {
        RawHttp.Answer a = RawHttp.send("GET", "/proxy/" + partner.partnerId() + path,
                List.of("Authorization: Bearer " + caller()), null);
        assertTrue(a.status() >= 400 && a.status() < 500, path + " answered " + a.status());
        if (a.status() == 400 && a.contentType().contains("problem+json")) {
            assertTrue(a.body().contains("\"source\":\"gateway\""), a.body());
        }
        assertEquals(0, apiCalls(), path + " reached the provider");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/v1/../admin/partners", "/v1/%2e%2e/x", "/v1/companies%2F..", "/v1/companies%5Cx",
            "//evil.example/v1/companies", "/https://evil.example/x", "/v1/companies@evil.example",
            "/v1/companies%00" })
    // (a raw backslash in the request line is refused by the HTTP server itself, a plain 400: see the test above)
    void the_usual_tricks_get_a_400_problem_from_the_gateway(String path) {
        RawHttp.Answer a = RawHttp.send("GET", "/proxy/" + partner.partnerId() + path,
                List.of("Authorization: Bearer " + caller()), null);
        assertEquals(400, a.status(), path + ": " + a.body());
        assertTrue(a.contentType().contains("application/problem+json"), a.contentType());
        assertEquals("gateway", a.header(ProxyHeaders.SOURCE));
        assertEquals(0, apiCalls());
    }

    @Test
    void an_absolute_url_as_target_is_refused() {
        RawHttp.Answer a = RawHttp.send("GET", "http://evil.example/proxy/" + partner.partnerId() + "/v1/companies",
                List.of("Authorization: Bearer " + caller()), null);
        assertTrue(a.status() >= 400, "answered " + a.status());
        RawHttp.Answer b = RawHttp.send("GET", "/proxy/" + partner.partnerId() + "/http:%2F%2Fevil.example/v1",
                List.of("Authorization: Bearer " + caller()), null);
        assertEquals(400, b.status());
        assertEquals(0, apiCalls());
    }

    // --- headers ----------------------------------------------------------------------------------------------------

    @Test
    void hop_by_hop_and_credential_headers_stay_behind_and_the_provider_sees_the_partner_token() {
        RawHttp.Answer a = RawHttp.send("GET", "/proxy/" + partner.partnerId() + "/v1/sandbox-test/echo", List.of(
                "Authorization: Bearer " + caller(), "Cookie: session=abc", "X-Api-Key: caller-key",
                "Proxy-Authorization: Basic Zm9vOmJhcg==", "Keep-Alive: timeout=5", "TE: trailers",
                "Trailer: Expires", "Upgrade: websocket", "X-Forwarded-For: 10.1.2.3", "Forwarded: for=10.1.2.3",
                "Accept-Language: de-CH", "If-None-Match: \"abc\"", "Accept: application/json",
                "X-Custom-Secret: s3cr3t"), null);
        assertEquals(200, a.status(), a.body());
        String body = a.body();
        assertTrue(body.contains("\"authorization\":[\"Bearer (a live access token)\"]"), body);
        assertTrue(body.contains("\"accept-language\":[\"de-CH\"]"), body);
        assertTrue(body.contains("\"if-none-match\":[\"\\\"abc\\\"\"]"), body);
        for (String dropped : List.of("cookie", "x-api-key", "proxy-authorization", "keep-alive", "\"te\"", "trailer",
                "upgrade", "x-forwarded-for", "\"forwarded\"", "x-custom-secret", "caller-key", "s3cr3t")) {
            assertFalse(body.contains(dropped), dropped + " reached the provider: " + body);
        }
        // back to the caller: paging and rate headers yes; cookies, auth challenges and the rest no
        assertEquals("provider", a.header(ProxyHeaders.SOURCE));
        assertNotNull(a.header("link"));
        assertNotNull(a.header("etag"));
        assertEquals("999", a.header("x-ratelimit-remaining"));
        assertNull(a.header("set-cookie"));
        assertNull(a.header("proxy-authenticate"));
        assertNull(a.header("x-internal-trace"));
        assertFalse(body.contains(token()));
    }

    // --- 401: one refresh, one retry, never more ------------------------------------------------------------------

    @Test
    void a_401_for_a_revoked_token_gets_exactly_one_refresh_and_one_retry() {
        String before = token();
        sandboxGrants.revokeAccessTokens(partner.sandboxKey());
        counters.reset();
        given().auth().oauth2(caller()).get(url("/v1/companies")).then().statusCode(200)
                .header(ProxyHeaders.SOURCE, "provider").body("content", hasSize(3));
        assertEquals(2, apiCalls(), "one call, one retry");
        assertEquals(1, counters.tokenRequests("refresh_token"), "one refresh");
        assertFalse(before.equals(token()), "the grant holds the new token");
    }

    @Test
    void a_second_401_goes_back_to_the_caller_and_is_not_retried_again() {
        faults.unauthorizedPartnerApi(SandboxFaults.UNTIL_CLEARED);
        Response r = given().auth().oauth2(caller()).get(url("/v1/companies"));
        r.then().statusCode(401).header(ProxyHeaders.SOURCE, "provider").body("status", equalTo(401))
                .header("WWW-Authenticate", nullValue());
        assertEquals(2, apiCalls(), "the call and one retry, no loop");
        assertEquals(1, counters.tokenRequests("refresh_token"));
        assertNoToken(r);
    }

    @Test
    void concurrent_401s_share_one_refresh() throws Exception {
        sandboxGrants.revokeAccessTokens(partner.sandboxKey());
        counters.reset();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<Integer>> all = new java.util.ArrayList<>();
            String jwt = caller();
            for (int i = 0; i < 6; i++) {
                all.add(pool.submit(() -> given().auth().oauth2(jwt).get(url("/v1/companies")).statusCode()));
            }
            for (java.util.concurrent.Future<Integer> f : all) {
                assertEquals(200, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, counters.tokenRequests("refresh_token"), "one refresh for all of them");
    }

    // --- limits and errors ------------------------------------------------------------------------------------------

    @Test
    void a_body_above_the_limit_is_413_and_not_forwarded() {
        byte[] big = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        given().auth().oauth2(caller()).contentType("application/json").body(big).when().post(url("/v1/orders"))
                .then().statusCode(413).header(ProxyHeaders.SOURCE, "gateway").body("source", equalTo("gateway"));
        assertEquals(0, apiCalls());
    }

    @Test
    void a_provider_error_is_passed_through_as_the_providers_answer() {
        given().auth().oauth2(caller()).get(url("/v1/companies?size=1000")).then().statusCode(400)
                .header(ProxyHeaders.SOURCE, "provider").body("message", equalTo("Bad Request"))
                .body("source", nullValue());
    }

    @Test
    void calls_are_audited_by_caller_partner_method_and_path_template_never_the_query() {
        String company = given().auth().oauth2(caller()).get(url("/v1/companies?size=1")).then().statusCode(200)
                .extract().path("content[0].id");
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(caller()).get(url("/v1/companies/" + company + "?secret=no")).then().statusCode(200);
        }
        recorder.flushAll();
        List<Map<String, Object>> rows = db.query("select caller, method, path_template, calls, last_status "
                + "from proxy_access where partner_id = ? order by path_template", partner.partnerId());
        assertEquals(2, rows.size(), rows.toString());
        assertEquals("/v1/companies", rows.get(0).get("path_template"));
        assertEquals("/v1/companies/{id}", rows.get(1).get("path_template"));
        assertEquals(3L, ((Number) rows.get(1).get("calls")).longValue());
        assertEquals("svc-orders", rows.get(1).get("caller"));
        assertEquals(200, ((Number) rows.get(1).get("last_status")).intValue());
        given().auth().oauth2(caller()).get(url("/v1/companies/" + company)).then().statusCode(200);
        recorder.flushAll();
        assertEquals(4L, ((Number) db.query("select calls from proxy_access where partner_id = ? and path_template = ?",
                partner.partnerId(), "/v1/companies/{id}").get(0).get("calls")).longValue());
        tokenRecorder.flushAll();
        assertEquals(0, db.count("select count(*) from token_access where kind = 'partner' and subject = ?",
                partner.partnerId()), "the partner's token never left the gateway: the caller is no token reader");
    }

    @Test
    void the_grants_dashboard_page_shows_recent_proxy_use() {
        given().auth().oauth2(caller()).get(url("/v1/products?size=1")).then().statusCode(200);
        recorder.flushAll();
        String session = dev.oauthgw.ops.signin.OpsSignInTest.signIn(dev.oauthgw.ops.signin.OpsPasswords.DEV_USER,
                dev.oauthgw.ops.signin.OpsPasswords.DEV_PASSWORD);
        String page = given().cookie(dev.oauthgw.ops.signin.OpsSignIn.SESSION_COOKIE, session)
                .get("/ops/grants/" + partner.partnerId()).then().statusCode(200).extract().asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<table id=\"proxy-use\">(.*?)</table>",
                java.util.regex.Pattern.DOTALL).matcher(page);
        assertTrue(m.find(), page);
        String table = m.group(1);
        assertTrue(table.contains("svc-orders") && table.contains("GET /v1/products") && table.contains("200"), table);
        assertFalse(table.contains("size=1"), "never the query: " + table);
    }
}
