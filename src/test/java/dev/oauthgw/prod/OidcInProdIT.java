package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.oauthgw.testing.PackagedJarTest;
import dev.oauthgw.testing.Urls;

/**
 * The packaged jar in prod with operators signing in at an identity provider and no built-in account: it
 * starts, sends the dashboard's visitors to the provider with an https redirect URI (prod sits behind TLS),
 * a Secure state cookie, PKCE and a nonce; the built-in sign-in and the APIs' bearer-only rule stay as they
 * are. The provider here is a stub that serves only its discovery document and keys.
 */
@PackagedJarTest
class OidcInProdIT {

    @Test
    void the_dashboard_signs_in_at_the_identity_provider() throws Exception {
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String issuer = "http://127.0.0.1:" + idp.getAddress().getPort() + "/idp";
        String discovery = "{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"" + issuer + "/authorize\","
                + "\"token_endpoint\":\"" + issuer + "/token\",\"jwks_uri\":\"" + issuer + "/jwks\","
                + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}";
        idp.createContext("/idp/.well-known/openid-configuration", x -> respond(x, discovery));
        idp.createContext("/idp/jwks", x -> respond(x, "{\"keys\":[]}"));
        idp.start();
        Map<String, String> env = ProdConfig.env();
        env.remove("GATEWAY_OPS_USERS_ALICE_PASSWORD_HASH");
        env.put("GATEWAY_OPS_OIDC_ENABLED", "true");
        env.put("GATEWAY_OPS_OIDC_ISSUER", issuer);
        env.put("GATEWAY_OPS_OIDC_REQUIRE_HTTPS", "false"); // the stub speaks http; a real issuer must be https
        env.put("GATEWAY_OPS_OIDC_CLIENT_ID", "gateway-prod");
        env.put("GATEWAY_OPS_OIDC_CLIENT_SECRET", "oidc-secret-" + ProdConfig.randomKey());
        env.put("GATEWAY_OPS_OIDC_OPERATOR_GROUPS", "gateway-operators");
        Path log = Files.createTempFile("oidc-prod", ".log");
        Process app = ProdConfig.launch(env, log, 0);
        try {
            String base = ProdConfig.awaitListening(app, log);
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

            HttpResponse<String> ops = http.send(HttpRequest.newBuilder(URI.create(base + "/ops")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(302, ops.statusCode(), ops::body);
            String location = ops.headers().firstValue("Location").orElseThrow();
            assertTrue(location.startsWith(issuer + "/authorize?"), location);
            Map<String, String> q = Urls.query(location);
            assertEquals("gateway-prod", q.get("client_id"));
            assertTrue(q.get("redirect_uri").startsWith("https://") && q.get("redirect_uri").endsWith("/ops/oidc/callback"),
                    q.toString());
            assertEquals("S256", q.get("code_challenge_method"));
            assertNotNull(q.get("nonce"));
            String stateCookie = ops.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("q_auth"))
                    .findFirst().orElseThrow(() -> new AssertionError(ops.headers().toString()));
            String attributes = stateCookie.toLowerCase(java.util.Locale.ROOT);
            assertTrue(attributes.contains("; secure") && attributes.contains("; httponly") && attributes.contains("; path=/ops"),
                    stateCookie);

            // the built-in sign-in is off, and the APIs still take bearer JWTs only
            HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(base + "/j_security_check"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("j_username=alice&j_password=x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertFalse(form.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.contains("gw_ops_session=")
                    && !c.contains("gw_ops_session=;")), form.headers().toString());
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(base + "/admin/partners")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertFalse(output.contains(env.get("GATEWAY_OPS_OIDC_CLIENT_SECRET")), "OIDC client secret printed");
        } finally {
            app.destroy();
            app.waitFor();
            idp.stop(0);
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange x, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(200, b.length);
        x.getResponseBody().write(b);
        x.close();
    }
}
