package dev.oauthgw.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The exact requests of the {@code rfc6749} dialect with both client authentication methods (no Quarkus). */
class Rfc6749DialectTest {

    private static final String SECRET = "rfc-secret";
    /** Base64 of {@code rfc-client:rfc-secret}. */
    private static final String BASIC = "Basic cmZjLWNsaWVudDpyZmMtc2VjcmV0";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String REDIRECT = "https%3A%2F%2Fgw.example%2Fonboarding%2Fcallback";

    private static RegisteredProvider rfc(String clientAuth) {
        return Registrations.registration("rfc", "rfc-client", SECRET,
                Map.of("dialect", "rfc6749", "client-auth", clientAuth));
    }

    private static RegisteredProvider basic() {
        return rfc("client-secret-basic");
    }

    private static RegisteredProvider post() {
        return rfc("client-secret-post");
    }

    private static TokenDialect dialect(RegisteredProvider p) {
        return p.registration().dialect().strategy();
    }

    private static void assertFormPost(String url, Optional<String> authorization, String body, ProviderRequest r) {
        assertEquals(URI.create(url), r.uri());
        assertEquals(FORM, r.contentType());
        assertEquals(authorization, r.authorization());
        assertEquals(body, r.body());
    }

    @Test
    void the_rfc6749_setting_chooses_the_rfc6749_strategy() {
        assertInstanceOf(Rfc6749Dialect.class, dialect(basic()));
    }

    // client-secret-basic

    @Test
    void code_exchange_with_basic_auth_puts_credentials_only_in_the_header() {
        ProviderRequest r = dialect(basic()).authorizationCode(basic(), "the-code", "the-verifier");
        assertFormPost(Registrations.TOKEN_URL, Optional.of(BASIC), "grant_type=authorization_code&code=the-code"
                + "&redirect_uri=" + REDIRECT + "&code_verifier=the-verifier", r);
    }

    @Test
    void refresh_with_basic_auth_puts_credentials_only_in_the_header() {
        ProviderRequest r = dialect(basic()).refresh(basic(), "the-refresh-token");
        assertFormPost(Registrations.TOKEN_URL, Optional.of(BASIC),
                "grant_type=refresh_token&refresh_token=the-refresh-token", r);
    }

    @Test
    void client_credentials_with_basic_auth_puts_credentials_only_in_the_header() {
        ProviderRequest r = dialect(basic()).clientCredentials(basic(), "api://usage");
        assertFormPost(Registrations.TOKEN_URL, Optional.of(BASIC),
                "grant_type=client_credentials&audience=api%3A%2F%2Fusage", r);
    }

    @Test
    void revocation_with_basic_auth_puts_credentials_only_in_the_header() {
        ProviderRequest r = dialect(basic()).revocation(basic(), "the-refresh-token", "refresh_token");
        assertFormPost(Registrations.REVOCATION_URL, Optional.of(BASIC),
                "token=the-refresh-token&token_type_hint=refresh_token", r);
    }

    @Test
    void basic_auth_form_urlencodes_id_and_secret_before_base64() {
        // RFC 6749 §2.3.1: application/x-www-form-urlencoded first, so a colon in the id stays unambiguous
        RegisteredProvider p = Registrations.registration("rfc", "gw client:1", "p@ss w+rd:/%é",
                Map.of("dialect", "rfc6749", "client-auth", "client-secret-basic"));
        String header = dialect(p).refresh(p, "r").authorization().orElseThrow();
        assertTrue(header.startsWith("Basic "), header);
        assertEquals("gw+client%3A1:p%40ss+w%2Brd%3A%2F%25%C3%A9",
                new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8));
        assertEquals("Basic YTpi", Rfc6749Dialect.basic("a", "b"));
    }

    // client-secret-post

    @Test
    void code_exchange_with_post_auth_appends_credentials_to_the_body_and_sends_no_authorization() {
        ProviderRequest r = dialect(post()).authorizationCode(post(), "the-code", "the-verifier");
        assertFormPost(Registrations.TOKEN_URL, Optional.empty(), "grant_type=authorization_code&code=the-code"
                + "&redirect_uri=" + REDIRECT + "&code_verifier=the-verifier&client_id=rfc-client&client_secret=rfc-secret",
                r);
    }

    @Test
    void refresh_with_post_auth_appends_credentials_to_the_body_and_sends_no_authorization() {
        ProviderRequest r = dialect(post()).refresh(post(), "the-refresh-token");
        assertFormPost(Registrations.TOKEN_URL, Optional.empty(),
                "grant_type=refresh_token&refresh_token=the-refresh-token&client_id=rfc-client&client_secret=rfc-secret",
                r);
    }

    @Test
    void client_credentials_with_post_auth_appends_credentials_to_the_body_and_sends_no_authorization() {
        ProviderRequest r = dialect(post()).clientCredentials(post(), "api://usage");
        assertFormPost(Registrations.TOKEN_URL, Optional.empty(),
                "grant_type=client_credentials&audience=api%3A%2F%2Fusage&client_id=rfc-client&client_secret=rfc-secret",
                r);
    }

    @Test
    void revocation_with_post_auth_appends_credentials_to_the_body_and_sends_no_authorization() {
        ProviderRequest r = dialect(post()).revocation(post(), "the-access-token", "access_token");
        assertFormPost(Registrations.REVOCATION_URL, Optional.empty(),
                "token=the-access-token&token_type_hint=access_token&client_id=rfc-client&client_secret=rfc-secret", r);
    }

    @Test
    void post_auth_form_urlencodes_the_credentials_in_the_body() {
        RegisteredProvider p = Registrations.registration("rfc", "gw client:1", "p@ss w+rd&x=é",
                Map.of("dialect", "rfc6749", "client-auth", "client-secret-post"));
        assertEquals("grant_type=refresh_token&refresh_token=r%2Fs+t&client_id=gw+client%3A1"
                + "&client_secret=p%40ss+w%2Brd%26x%3D%C3%A9", dialect(p).refresh(p, "r/s t").body());
    }

    @Test
    void the_registration_audience_is_not_sent_with_code_exchange_or_refresh() {
        // the registration keeps the default audience (https://api.pax8.com); only pax8 sends it
        for (RegisteredProvider p : List.of(basic(), post())) {
            assertFalse(dialect(p).authorizationCode(p, "c", "v").body().contains("audience"));
            assertFalse(dialect(p).refresh(p, "r").body().contains("audience"));
        }
    }

    @Test
    void no_request_prints_the_secret_the_basic_credentials_a_token_or_the_verifier() {
        for (RegisteredProvider p : List.of(basic(), post())) {
            for (ProviderRequest r : List.of(dialect(p).authorizationCode(p, "the-code", "the-verifier"),
                    dialect(p).refresh(p, "the-refresh-token"), dialect(p).clientCredentials(p, "api://usage"),
                    dialect(p).revocation(p, "the-access-token", "access_token"))) {
                String s = r.toString();
                for (String secret : List.of(SECRET, BASIC.substring(6), "the-code", "the-verifier",
                        "the-refresh-token", "the-access-token")) {
                    assertFalse(s.contains(secret), s);
                }
            }
        }
    }
}
