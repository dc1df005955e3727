package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.oauthgw.testing.PackagedJarTest;

/**
 * The packaged jar in prod, started once: /q/* answers on the management port only, a caller must name its
 * partners in its JWT, and a JWT older (or issued for longer) than the maximum age is refused.
 */
@PackagedJarTest
class FailClosedInProdIT {

    private static Process app;
    private static Path log;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        log = Files.createTempFile("failclosed-prod", ".log");
        app = ProdConfig.launch(ProdConfig.env(), log, 0);
        base = ProdConfig.awaitListening(app, log);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.destroy();
            if (!app.waitFor(20, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
    }

    private static HttpResponse<String> get(String url, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String jwt(String extraClaims) {
        long now = Instant.now().getEpochSecond();
        return ProdConfig.callerJwt("svc-billing", "tokens:read", now, now + 300, extraClaims);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/q/health", "/q/health/ready", "/q/metrics", "/q/openapi" })
    void the_public_port_does_not_serve_q(String path) throws Exception {
        assertEquals(404, get(base + path, null).statusCode(), path);
    }

    @Test
    void the_management_port_serves_health_metrics_and_openapi() throws Exception {
        String management = ProdConfig.managementUrl(log);
        HttpResponse<String> ready = null;
        for (int i = 0; i < 60; i++) {
            ready = get(management + "/q/health/ready", null);
            if (ready.statusCode() == 200) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"UP\""), ready.body());
        HttpResponse<String> metrics = get(management + "/q/metrics", null);
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("gateway_grants"), "grant metrics on the management port");
        HttpResponse<String> openapi = get(management + "/q/openapi", null);
        assertEquals(200, openapi.statusCode());
        assertTrue(openapi.body().contains("/admin/partners/{id}/grant/disconnect"), openapi.body());
        assertEquals(404, get(management + "/q/swagger-ui", null).statusCode());
        // and the application itself is not on the management port
        assertEquals(404, get(management + "/ops/login", null).statusCode());
    }

    @Test
    void a_caller_without_a_partners_claim_reads_no_partner_tokens() throws Exception {
        HttpResponse<String> r = get(base + "/tokens/acme", jwt(""));
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                r.headers().toString());
        assertTrue(r.body().contains("partners-claim-missing"), r.body());
        assertTrue(r.body().contains("no 'partners' claim"), r.body());
        // the JWT is still a valid one: /caller says so
        assertEquals(204, get(base + "/caller", jwt("")).statusCode());
    }

    @Test
    void a_caller_reads_only_the_partners_it_names_or_all_with_a_star() throws Exception {
        HttpResponse<String> other = get(base + "/tokens/acme", jwt("\"partners\":[\"globex\"]"));
        assertEquals(403, other.statusCode(), other.body());
        assertTrue(other.body().contains("not in its 'partners' claim"), other.body());
        // named, or *: past the check (no such partner in this database: 404)
        assertEquals(404, get(base + "/tokens/acme-" + System.nanoTime(), jwt("\"partners\":[\"*\"]")).statusCode());
        String id = "acme-" + System.nanoTime();
        assertEquals(404, get(base + "/tokens/" + id, jwt("\"partners\":[\"" + id + "\"]")).statusCode());
    }

    @Test
    void a_jwt_older_than_the_maximum_age_issued_for_longer_or_without_iat_is_refused() throws Exception {
        long now = Instant.now().getEpochSecond();
        String old = ProdConfig.callerJwt("svc-old", "tokens:read", now - Duration.ofHours(25).toSeconds(), now + 300,
                "\"partners\":[\"*\"]");
        assertEquals(401, get(base + "/caller", old).statusCode());
        String longLived = ProdConfig.callerJwt("svc-long", "tokens:read", now, now + Duration.ofDays(30).toSeconds(),
                "\"partners\":[\"*\"]");
        assertEquals(401, get(base + "/caller", longLived).statusCode());
        String noIat = ProdConfig.callerJwt("svc-no-iat", "tokens:read", -1, now + 300, "\"partners\":[\"*\"]");
        assertEquals(401, get(base + "/caller", noIat).statusCode(), "a JWT without iat");
        String fine = ProdConfig.callerJwt("svc-fine", "tokens:read", now - 3600, now + 3600, "\"partners\":[\"*\"]");
        assertEquals(204, get(base + "/caller", fine).statusCode());
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertFalse(output.contains(old.substring(old.lastIndexOf('.') + 1)), "a JWT's signature was logged");
    }
}
