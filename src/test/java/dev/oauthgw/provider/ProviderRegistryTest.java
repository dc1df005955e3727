package dev.oauthgw.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Start-up validation of provider registrations and the authorization request, without Quarkus. */
class ProviderRegistryTest {

    private static final String SECRET = "s3cr3t-value-that-must-never-be-printed";

    private static Map<String, String> pax8(String base) {
        Map<String, String> m = new HashMap<>();
        String p = "gateway.provider.registrations.pax8.";
        m.put(p + "authorize-url", base + "/authorize");
        m.put(p + "token-url", base + "/v1/token");
        m.put(p + "client-id", "client-1");
        m.put(p + "client-secret", SECRET);
        m.put(p + "redirect-uri", base + "/onboarding/callback");
        return m;
    }

    private static ProviderConfig config(Map<String, String> props) {
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(ProviderConfig.class)
                .withSources(new PropertiesConfigSource(props, "test", 100)).build();
        return c.getConfigMapping(ProviderConfig.class);
    }

    @Test
    void defaults_are_pax8s() {
        RegisteredProvider p = ProviderRegistry.validate(config(pax8("https://login.example"))).get("pax8");
        assertEquals("Manage:Pax8Data offline_access", p.registration().scopes());
        assertEquals("https://api.pax8.com", ProviderConfig.audienceOf(p.registration()).orElseThrow());
        assertEquals(ProviderConfig.Dialect.PAX8, p.registration().dialect());
        assertFalse(p.toString().contains(SECRET));
    }

    @Test
    void a_missing_secret_stops_start_up_naming_the_variable() {
        Map<String, String> m = pax8("https://login.example");
        m.remove("gateway.provider.registrations.pax8.client-secret");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProviderRegistry.validate(config(m)));
        assertTrue(e.getMessage().contains("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET"), e.getMessage());
    }

    @Test
    void the_proxys_api_base_url_must_be_https_and_its_methods_known() {
        Map<String, String> m = pax8("https://login.example");
        m.put("gateway.provider.registrations.pax8.api.base-url", "http://api.example");
        m.put("gateway.provider.registrations.pax8.api.methods", "GET,TRACE");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProviderRegistry.validate(config(m)));
        assertTrue(e.getMessage().contains("api.base-url must use https"), e.getMessage());
        assertTrue(e.getMessage().contains("api.methods names 'TRACE'"), e.getMessage());
        m.put("gateway.provider.registrations.pax8.api.base-url", "https://api.example");
        m.put("gateway.provider.registrations.pax8.api.methods", "GET,post");
        assertEquals(java.util.Set.of("GET", "post"),
                ProviderRegistry.validate(config(m)).get("pax8").registration().api().methods());
    }

    @Test
    void plain_http_is_refused_when_https_is_required_and_no_secret_is_printed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ProviderRegistry.validate(config(pax8("http://login.example"))));
        assertTrue(e.getMessage().contains("authorize-url must use https"), e.getMessage());
        assertTrue(e.getMessage().contains("redirect-uri must use https"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void plain_http_is_allowed_when_https_is_not_required() {
        Map<String, String> m = pax8("http://localhost:8080");
        m.put("gateway.provider.require-https", "false");
        assertEquals(1, ProviderRegistry.validate(config(m)).size());
    }

    @Test
    void probe_identity_needs_a_probe_url_and_the_default_registration_must_exist() {
        Map<String, String> m = pax8("https://login.example");
        m.put("gateway.provider.registrations.pax8.identity.method", "probe");
        m.put("gateway.provider.default-registration", "other");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProviderRegistry.validate(config(m)));
        assertTrue(e.getMessage().contains("identity.probe-url is required"), e.getMessage());
        assertTrue(e.getMessage().contains("default-registration names 'other'"), e.getMessage());
    }

    @Test
    void authorization_request_carries_state_pkce_scope_and_audience() {
        Map<String, String> m = pax8("https://login.example");
        ProviderConfig c = config(m);
        ProviderRegistry registry = new ProviderRegistry(c);
        URI u = registry.authorizeUri(registry.defaultProvider(), "st&te", "chal");
        String q = u.getRawQuery();
        assertTrue(u.toString().startsWith("https://login.example/authorize?"));
        assertTrue(q.contains("response_type=code"));
        assertTrue(q.contains("client_id=client-1"));
        assertTrue(q.contains("redirect_uri=https%3A%2F%2Flogin.example%2Fonboarding%2Fcallback"));
        assertTrue(q.contains("scope=Manage%3APax8Data%20offline_access"));
        assertTrue(q.contains("audience=https%3A%2F%2Fapi.pax8.com"));
        assertTrue(q.contains("state=st%26te"));
        assertTrue(q.contains("code_challenge=chal"));
        assertTrue(q.contains("code_challenge_method=S256"));
        assertFalse(q.contains(SECRET));
    }

    @Test
    void an_rfc6749_registration_may_have_no_audience() {
        Map<String, String> m = pax8("https://login.example");
        m.put("gateway.provider.registrations.pax8.audience", "none");
        m.put("gateway.provider.registrations.pax8.dialect", "rfc6749");
        ProviderRegistry registry = new ProviderRegistry(config(m));
        assertFalse(registry.authorizeUri(registry.defaultProvider(), "s", "c").getRawQuery().contains("audience"));
    }

    private static Map<String, String> other(String name) {
        Map<String, String> m = new HashMap<>();
        String p = "gateway.provider.registrations." + name + ".";
        m.put(p + "authorize-url", "https://idp.example/authorize");
        m.put(p + "token-url", "https://idp.example/token");
        m.put(p + "client-id", "client-2");
        m.put(p + "client-secret", SECRET);
        m.put(p + "redirect-uri", "https://gw.example/onboarding/callback");
        m.put(p + "dialect", "rfc6749");
        return m;
    }

    @Test
    void a_registration_nobody_uses_needs_no_credentials() {
        Map<String, String> m = pax8("https://login.example");
        m.remove("gateway.provider.registrations.pax8.client-id");
        m.remove("gateway.provider.registrations.pax8.client-secret");
        m.putAll(other("acme"));
        m.put("gateway.provider.default-registration", "acme");
        assertEquals(java.util.Set.of("acme"), ProviderRegistry.validate(config(m)).keySet());
        assertTrue(ProviderRegistry.problems(config(m), java.util.Set.of()).isEmpty());
    }

    @Test
    void a_registration_the_vendor_tokens_use_needs_its_credentials_and_every_problem_is_listed() {
        Map<String, String> m = pax8("https://login.example");
        m.remove("gateway.provider.registrations.pax8.client-id");
        m.remove("gateway.provider.registrations.pax8.client-secret");
        m.putAll(other("acme"));
        m.put("gateway.provider.default-registration", "acme");
        java.util.List<String> problems = ProviderRegistry.problems(config(m), java.util.Set.of("pax8", "missing"));
        String all = String.join("\n", problems);
        assertTrue(all.contains("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_ID"), all);
        assertTrue(all.contains("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET"), all);
        assertTrue(all.contains("registration 'missing'"), all);
        assertFalse(all.contains(SECRET));
    }

    @Test
    void half_the_credentials_of_an_unused_registration_is_a_mistake() {
        Map<String, String> m = pax8("https://login.example");
        m.remove("gateway.provider.registrations.pax8.client-secret");
        m.putAll(other("acme"));
        m.put("gateway.provider.default-registration", "acme");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProviderRegistry.validate(config(m)));
        assertTrue(e.getMessage().contains("GATEWAY_PROVIDER_REGISTRATIONS_PAX8_CLIENT_SECRET"), e.getMessage());
    }
}
