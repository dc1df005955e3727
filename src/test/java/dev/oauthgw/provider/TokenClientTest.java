package dev.oauthgw.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** The token client in both dialects against the sandbox, and how it classifies failures. */
@QuarkusTest
class TokenClientTest {

    private static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more-entropy";

    @Inject
    TokenClient client;
    @Inject
    ProviderRegistry registry;
    @Inject
    SandboxGrants sandboxGrants;
    @Inject
    SandboxFaults sandboxFaults;
    @Inject
    SandboxCounters sandboxCounters;

    @AfterEach
    void reset() {
        sandboxFaults.reset();
    }

    private String code(RegisteredProvider p) throws Exception {
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(VERIFIER.getBytes(StandardCharsets.US_ASCII)));
        return sandboxGrants.issueCode(p.clientId(), p.registration().redirectUri().toString(), "acme",
                "Manage:Pax8Data offline_access", "https://api.pax8.com", challenge);
    }

    @Test
    void pax8_dialect_exchanges_a_code_and_refreshes_with_rotation() throws Exception {
        RegisteredProvider pax8 = registry.get("pax8");
        long jsonBefore = sandboxCounters.tokenRequests("authorization_code");
        TokenResponse t = client.exchangeCode(pax8, code(pax8), VERIFIER);
        assertEquals(jsonBefore + 1, sandboxCounters.tokenRequests("authorization_code"));
        assertTrue(t.refreshToken().isPresent());
        assertTrue(t.expiresAt().isAfter(Instant.now().plus(Duration.ofHours(23))));
        assertEquals("Bearer", t.tokenType());
        assertFalse(t.toString().contains(t.accessToken()), "toString hides the token");

        TokenResponse r = client.refresh(pax8, t.refreshToken().get());
        assertNotEquals(t.refreshToken().get(), r.refreshToken().orElseThrow());
        assertTrue(sandboxGrants.liveAccessToken(r.accessToken()).isPresent());
    }

    @ParameterizedTest
    @ValueSource(strings = { "rfc-basic", "rfc-post" })
    void rfc6749_dialect_works_with_both_client_authentication_methods(String registration) throws Exception {
        RegisteredProvider p = registry.get(registration);
        TokenResponse t = client.exchangeCode(p, code(p), VERIFIER);
        assertEquals(registration, sandboxGrants.liveAccessToken(t.accessToken()).orElseThrow().clientId());
        TokenResponse r = client.refresh(p, t.refreshToken().orElseThrow());
        assertTrue(sandboxGrants.liveAccessToken(r.accessToken()).isPresent());
    }

    @Test
    void wrong_verifier_is_a_rejected_request_not_a_transient_failure() throws Exception {
        RegisteredProvider pax8 = registry.get("pax8");
        ProviderException e = assertThrows(ProviderException.class,
                () -> client.exchangeCode(pax8, code(pax8), VERIFIER + "x"));
        assertEquals(ProviderException.Kind.INVALID_GRANT, e.kind());
        assertEquals(403, e.httpStatus());
    }

    @Test
    void server_errors_and_rate_limits_are_transient_and_carry_retry_after() throws Exception {
        RegisteredProvider pax8 = registry.get("pax8");
        TokenResponse t = client.exchangeCode(pax8, code(pax8), VERIFIER);
        sandboxFaults.failTokenEndpoint(503, 1);
        ProviderException e5 = assertThrows(ProviderException.class, () -> client.refresh(pax8, t.refreshToken().get()));
        assertEquals(ProviderException.Kind.TRANSIENT, e5.kind());
        assertEquals(503, e5.httpStatus());

        sandboxFaults.rateLimitTokenEndpoint(42, 1);
        ProviderException e429 = assertThrows(ProviderException.class,
                () -> client.refresh(pax8, t.refreshToken().get()));
        assertEquals(ProviderException.Kind.TRANSIENT, e429.kind());
        assertEquals(Duration.ofSeconds(42), e429.retryAfter().orElseThrow());
        // neither failure consumed the refresh token
        assertTrue(client.refresh(pax8, t.refreshToken().get()).refreshToken().isPresent());
    }

    @Test
    void a_rejected_client_is_classified_as_client_rejected() throws Exception {
        RegisteredProvider pax8 = registry.get("pax8");
        TokenResponse t = client.exchangeCode(pax8, code(pax8), VERIFIER);
        sandboxFaults.rejectClient(pax8.clientId());
        ProviderException e = assertThrows(ProviderException.class, () -> client.refresh(pax8, t.refreshToken().get()));
        assertEquals(ProviderException.Kind.CLIENT_REJECTED, e.kind());
        assertTrue(e.kind().isPermanent());
        assertFalse(e.getMessage().contains(pax8.clientSecret()), "no secret in the message");
    }

    @Test
    void a_reused_refresh_token_is_invalid_grant() throws Exception {
        RegisteredProvider pax8 = registry.get("pax8");
        TokenResponse t = client.exchangeCode(pax8, code(pax8), VERIFIER);
        client.refresh(pax8, t.refreshToken().get());
        long reuses = sandboxCounters.reuseDetections();
        ProviderException e = assertThrows(ProviderException.class, () -> client.refresh(pax8, t.refreshToken().get()));
        assertEquals(ProviderException.Kind.INVALID_GRANT, e.kind());
        assertEquals(reuses + 1, sandboxCounters.reuseDetections());
    }

    @Test
    void a_timeout_is_transient() throws Exception {
        RegisteredProvider p = registry.get("rfc-post"); // configured with a 1 s request timeout in the test profile
        TokenResponse t = client.exchangeCode(p, code(p), VERIFIER);
        sandboxFaults.slowTokenEndpoint(Duration.ofMillis(1500));
        ProviderException e = assertThrows(ProviderException.class, () -> client.refresh(p, t.refreshToken().get()));
        assertEquals(ProviderException.Kind.TRANSIENT, e.kind());
        assertEquals(0, e.httpStatus());
        assertFalse(e.kind().isPermanent());
    }
}
