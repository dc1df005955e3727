package dev.oauthgw.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The exact requests of the {@code pax8} dialect (plain unit tests, no Quarkus). */
class Pax8DialectTest {

    private static final String SECRET = "pax8-secret-never-printed";

    private static RegisteredProvider pax8(Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.put("dialect", "pax8");
        return Registrations.registration("pax8", "gw-client", SECRET, s);
    }

    private static RegisteredProvider pax8() {
        return pax8(Map.of());
    }

    private static TokenDialect dialect(RegisteredProvider p) {
        return p.registration().dialect().strategy();
    }

    private static void assertJsonPostTo(String url, ProviderRequest r) {
        assertEquals(URI.create(url), r.uri());
        assertEquals("application/json", r.contentType());
        assertEquals(List.of("Content-Type"), List.copyOf(r.headers().keySet()), "no Authorization header");
    }

    @Test
    void the_pax8_setting_chooses_the_pax8_strategy() {
        assertInstanceOf(Pax8Dialect.class, dialect(pax8()));
    }

    @Test
    void code_exchange_is_one_json_object_with_credentials_pkce_verifier_redirect_uri_and_audience() {
        ProviderRequest r = dialect(pax8()).authorizationCode(pax8(), "the-code", "the-verifier");
        assertJsonPostTo(Registrations.TOKEN_URL, r);
        assertEquals("{\"grant_type\":\"authorization_code\",\"client_id\":\"gw-client\",\"client_secret\":\"" + SECRET
                + "\",\"code\":\"the-code\",\"redirect_uri\":\"https://gw.example/onboarding/callback\","
                + "\"code_verifier\":\"the-verifier\",\"audience\":\"https://api.pax8.com\"}", r.body());
    }

    @Test
    void refresh_is_one_json_object_with_credentials_and_the_registration_audience() {
        ProviderRequest r = dialect(pax8()).refresh(pax8(), "the-refresh-token");
        assertJsonPostTo(Registrations.TOKEN_URL, r);
        assertEquals("{\"grant_type\":\"refresh_token\",\"client_id\":\"gw-client\",\"client_secret\":\"" + SECRET
                + "\",\"refresh_token\":\"the-refresh-token\",\"audience\":\"https://api.pax8.com\"}", r.body());
    }

    @Test
    void client_credentials_asks_for_the_given_audience_not_the_registrations() {
        ProviderRequest r = dialect(pax8()).clientCredentials(pax8(), "api://usage");
        assertJsonPostTo(Registrations.TOKEN_URL, r);
        assertEquals("{\"grant_type\":\"client_credentials\",\"client_id\":\"gw-client\",\"client_secret\":\"" + SECRET
                + "\",\"audience\":\"api://usage\"}", r.body());
    }

    @Test
    void revocation_goes_to_the_revocation_url_with_credentials_and_no_grant_type() {
        ProviderRequest r = dialect(pax8()).revocation(pax8(), "the-refresh-token", "refresh_token");
        assertJsonPostTo(Registrations.REVOCATION_URL, r);
        assertEquals("{\"client_id\":\"gw-client\",\"client_secret\":\"" + SECRET
                + "\",\"token\":\"the-refresh-token\",\"token_type_hint\":\"refresh_token\"}", r.body());
    }

    @Test
    void an_audience_of_none_is_left_out_of_code_exchange_and_refresh() {
        RegisteredProvider p = pax8(Map.of("audience", "none"));
        assertFalse(dialect(p).authorizationCode(p, "c", "v").body().contains("audience"));
        assertEquals("{\"grant_type\":\"refresh_token\",\"client_id\":\"gw-client\",\"client_secret\":\"" + SECRET
                + "\",\"refresh_token\":\"r\"}", dialect(p).refresh(p, "r").body());
    }

    @Test
    void client_auth_setting_does_not_apply_credentials_stay_in_the_json_body() {
        RegisteredProvider p = pax8(Map.of("client-auth", "client-secret-basic"));
        ProviderRequest r = dialect(p).refresh(p, "r");
        assertTrue(r.authorization().isEmpty());
        assertTrue(r.body().contains("\"client_secret\":\"" + SECRET + "\""));
    }

    @Test
    void quotes_backslashes_and_non_ascii_in_credentials_are_json_escaped_not_form_encoded() {
        RegisteredProvider p = Registrations.registration("pax8", "id \"1\"", "s\\e\"c r+t é", Map.of());
        assertEquals("{\"grant_type\":\"refresh_token\",\"client_id\":\"id \\\"1\\\"\","
                + "\"client_secret\":\"s\\\\e\\\"c r+t é\",\"refresh_token\":\"r\",\"audience\":\"https://api.pax8.com\"}",
                dialect(p).refresh(p, "r").body());
    }

    @Test
    void revocation_without_a_revocation_url_is_refused_naming_the_setting_not_the_secret() {
        Map<String, String> s = new HashMap<>();
        s.put("revocation-url", null);
        RegisteredProvider p = pax8(s);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> dialect(p).revocation(p, "the-token", "access_token"));
        assertTrue(e.getMessage().contains("revocation-url"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void no_request_prints_the_secret_a_token_or_the_verifier() {
        RegisteredProvider p = pax8();
        for (ProviderRequest r : List.of(dialect(p).authorizationCode(p, "the-code", "the-verifier"),
                dialect(p).refresh(p, "the-refresh-token"), dialect(p).clientCredentials(p, "api://usage"),
                dialect(p).revocation(p, "the-access-token", "access_token"))) {
            String s = r.toString();
            for (String secret : List.of(SECRET, "the-code", "the-verifier", "the-refresh-token", "the-access-token")) {
                assertFalse(s.contains(secret), s);
            }
        }
        assertFalse(dialect(p).toString().contains(SECRET));
    }
}
