package dev.oauthgw.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.testing.Urls;
import jakarta.inject.Inject;

/** Which provider account a new token belongs to: by claim (Pax8 default) or by a probe call. */
@QuarkusTest
class IdentityResolverTest {

    private static final String VERIFIER = "identity-resolver-test-verifier-0123456789abcdefghijklmnop";

    @Inject
    IdentityResolver identities;
    @Inject
    TokenClient tokens;
    @Inject
    ProviderRegistry registry;
    @Inject
    SandboxGrants sandboxGrants;
    @Inject
    SandboxPartners sandboxPartners;

    private TokenResponse tokenFor(String partnerKey) throws Exception {
        RegisteredProvider p = registry.defaultProvider();
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(VERIFIER.getBytes(StandardCharsets.US_ASCII)));
        String code = sandboxGrants.issueCode(p.clientId(), p.registration().redirectUri().toString(),
                partnerKey, p.registration().scopes(), "https://api.pax8.com", challenge);
        return tokens.exchangeCode(p, code, VERIFIER);
    }

    private static RegisteredProvider withIdentity(String method, String claimOrProbe) {
        return withIdentity(method, claimOrProbe, Map.of());
    }

    private static RegisteredProvider withIdentity(String method, String claimOrProbe, Map<String, String> more) {
        Map<String, String> m = new HashMap<>();
        String p = "gateway.provider.registrations.probe.";
        m.put("gateway.provider.require-https", "false");
        m.put("gateway.provider.default-registration", "probe");
        m.put(p + "authorize-url", Urls.publicUrl() + "/sandbox/authorize");
        m.put(p + "token-url", Urls.publicUrl() + "/sandbox/v1/token");
        m.put(p + "client-id", "gateway-sandbox");
        m.put(p + "client-secret", "unused-here");
        m.put(p + "redirect-uri", Urls.publicUrl() + "/onboarding/callback");
        m.put(p + "identity.method", method);
        if ("probe".equals(method)) {
            m.put(p + "identity.probe-url", claimOrProbe);
        } else {
            m.put(p + "identity.claim", claimOrProbe);
        }
        more.forEach((k, v) -> m.put(p + k, v));
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(ProviderConfig.class)
                .withSources(new PropertiesConfigSource(m, "test", 100)).build();
        return ProviderRegistry.validate(c.getConfigMapping(ProviderConfig.class)).get("probe");
    }

    @Test
    void the_claim_names_the_pax8_partner() throws Exception {
        IdentityResolver.Identity id = identities.identify(registry.defaultProvider(), tokenFor("acme"));
        assertEquals(Optional.of(sandboxPartners.find("acme").orElseThrow().pax8PartnerId()), id.accountId());
        assertEquals(Optional.of(sandboxPartners.find("acme").orElseThrow().name()), id.accountName(),
                "the name the operator sees when confirming the binding");
        assertTrue(id.subject().isPresent());
    }

    @Test
    void a_token_without_the_claim_is_a_malformed_answer() throws Exception {
        RegisteredProvider p = withIdentity("claim", "https://example.test/no_such_claim");
        ProviderException e = assertThrows(ProviderException.class, () -> identities.identify(p, tokenFor("acme")));
        assertEquals(ProviderException.Kind.MALFORMED_RESPONSE, e.kind());
    }

    @Test
    void a_probe_that_accepts_the_token_confirms_it_without_naming_an_account() throws Exception {
        RegisteredProvider p = withIdentity("probe", Urls.publicUrl() + "/sandbox/v1/companies?size=1");
        IdentityResolver.Identity id = identities.identify(p, tokenFor("globex"));
        assertTrue(id.accountId().isEmpty());
    }

    @Test
    void a_probe_that_refuses_the_token_is_a_rejected_request() throws Exception {
        RegisteredProvider p = withIdentity("probe", Urls.publicUrl() + "/sandbox/v1/companies?size=1");
        TokenResponse t = tokenFor("initech");
        sandboxGrants.revokePartner("initech");
        ProviderException e = assertThrows(ProviderException.class, () -> identities.identify(p, t));
        assertEquals(ProviderException.Kind.REQUEST_REJECTED, e.kind());
        assertEquals(401, e.httpStatus());
    }

    @Test
    void a_probe_that_stalls_mid_answer_is_transient_within_its_timeout() throws Exception {
        RegisteredProvider p = withIdentity("probe", Urls.publicUrl()
                + "/sandbox/v1/sandbox-test/stalled-response?silence=PT20S", Map.of("identity.probe-timeout", "PT1S"));
        TokenResponse t = tokenFor("globex");
        long t0 = System.nanoTime();
        ProviderException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(15),
                () -> assertThrows(ProviderException.class, () -> identities.identify(p, t)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ProviderException.Kind.TRANSIENT, e.kind());
        assertEquals("The identity probe of 'probe' did not finish its answer within PT1S (total deadline); "
                + "connection closed", e.getMessage());
        assertTrue(ms < 4000, "the stalled probe held the caller " + ms + " ms");
    }
}
