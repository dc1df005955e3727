package dev.oauthgw.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.provider.ProviderException.Kind;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.sandbox.faults.SandboxFaults.OddAnswer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The token client in both dialects against the sandbox, and how it classifies failures; through the sandbox's fault
 * switches (issue 18): answers unusable in each way seen (absurd, zero or negative lifetimes, a line break or 17 KiB in
 * the token, a wrong or missing token type) are MALFORMED_RESPONSE with the new refresh token handed over first, and
 * a token endpoint that stalls mid-answer is TRANSIENT within the registration's bounds, leaving the refresh token
 * usable and the thread free.
 */
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
        long rotations = sandboxCounters.rotations();
        sandboxFaults.slowTokenEndpoint(Duration.ofMillis(1500));
        ProviderException e = assertThrows(ProviderException.class, () -> client.refresh(p, t.refreshToken().get()));
        assertEquals(ProviderException.Kind.TRANSIENT, e.kind());
        assertEquals(0, e.httpStatus());
        assertFalse(e.kind().isPermanent());
        // the sandbox still handles the request it slowed down: let it finish before the next test
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sandboxCounters.rotations() == rotations && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(100);
    }

    // --- issue 18: unusable answers refused before they are stored, stalled answers bounded ---------------------

    private static final Logger LOG = Logger.getLogger(TokenClientTest.class);

    private TokenResponse connected(RegisteredProvider p) throws Exception {
        return client.exchangeCode(p, code(p), VERIFIER);
    }

    @ParameterizedTest
    @EnumSource(value = OddAnswer.class, names = { "EXPIRES_IN_MILLISECONDS", "ZERO_EXPIRES_IN", "NEGATIVE_EXPIRES_IN",
            "CRLF_IN_ACCESS_TOKEN", "OVERSIZE_ACCESS_TOKEN", "NO_TOKEN_TYPE", "TOKEN_TYPE" })
    void an_unusable_answer_is_malformed_and_its_rotated_refresh_token_is_handed_over_first(OddAnswer odd)
            throws Exception {
        RegisteredProvider pax8 = registry.get("pax8");
        String presented = connected(pax8).refreshToken().orElseThrow();
        long reuse = sandboxCounters.reuseDetections();
        // until cleared: a late answer of another test (a_timeout_is_transient's slowed one) cannot take it from us
        sandboxFaults.oddAnswers(odd, SandboxFaults.UNTIL_CLEARED);
        AtomicReference<String> rotated = new AtomicReference<>();
        ProviderException e = assertThrows(ProviderException.class, () -> client.refresh(pax8, presented, rotated::set));
        sandboxFaults.reset();
        assertEquals(Kind.MALFORMED_RESPONSE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("Token endpoint of 'pax8' answered 2xx with "), e.getMessage());
        assertFalse(e.getMessage().contains("eyJ"), "no token in the message: " + e.getMessage());
        LOG.infof("%s: %s", odd, e.getMessage());
        assertNotNull(rotated.get(), "the new refresh token was handed over before the answer was refused");
        assertNotEquals(presented, rotated.get());
        // the kept token is the live one: the next refresh with it is accepted, and nothing was presented twice
        TokenResponse next = client.refresh(pax8, rotated.get());
        assertTrue(sandboxGrants.liveAccessToken(next.accessToken()).isPresent());
        assertEquals(reuse, sandboxCounters.reuseDetections());
    }

    @Test
    void the_sandboxs_own_answers_pass_the_checks() throws Exception {
        for (String name : new String[] { "pax8", "rfc-basic", "rfc-post" }) {
            RegisteredProvider p = registry.get(name);
            TokenResponse t = connected(p);
            assertTrue(t.expiresAt().isAfter(java.time.Instant.now().plus(Duration.ofHours(23))), name);
            assertTrue(client.refresh(p, t.refreshToken().orElseThrow()).refreshToken().isPresent(), name);
        }
    }

    /** A stall, its duration measured; the refresh token presented is untouched (the sandbox did not handle it). */
    private ProviderException stalled(RegisteredProvider p, String refreshToken, Duration bound) {
        int served = sandboxFaults.stallsServed();
        sandboxFaults.stallTokenAnswers(Duration.ofSeconds(30), 1);
        long t0 = System.nanoTime();
        ProviderException e = assertTimeoutPreemptively(Duration.ofSeconds(25),
                () -> assertThrows(ProviderException.class, () -> client.refresh(p, refreshToken)));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.infof("%s: a token answer stalled mid-body for 30 s failed after %d ms: %s", p.name(), took.toMillis(),
                e.getMessage());
        assertEquals(served + 1, sandboxFaults.stallsServed(), "the sandbox stalled the answer");
        assertEquals(Kind.TRANSIENT, e.kind());
        assertEquals(0, e.httpStatus());
        assertTrue(took.compareTo(bound.plusSeconds(3)) < 0, "took " + took + " for a bound of " + bound);
        assertTrue(took.compareTo(p.callBound().plusSeconds(3)) < 0, "longer than the call bound " + p.callBound());
        // the thread is free and the grant intact: the same refresh token works at once
        long t1 = System.nanoTime();
        assertTrue(client.refresh(p, refreshToken).refreshToken().isPresent());
        assertTrue(System.nanoTime() - t1 < Duration.ofSeconds(2).toNanos(), "the next refresh was slow");
        return e;
    }

    @Test
    void a_token_answer_that_stalls_mid_body_fails_on_the_idle_deadline_not_after_the_stall() throws Exception {
        RegisteredProvider pax8 = registry.get("pax8"); // defaults: idle-timeout PT5S, request-timeout PT10S
        ProviderException e = stalled(pax8, connected(pax8).refreshToken().orElseThrow(),
                pax8.registration().idleTimeout());
        assertEquals("Token endpoint of 'pax8' stalled mid-answer: nothing arrived for PT5S (idle deadline); "
                + "connection closed", e.getMessage());
    }

    @Test
    void a_token_answer_that_stalls_fails_on_the_total_deadline_when_that_comes_first() throws Exception {
        RegisteredProvider p = registry.get("rfc-post"); // request-timeout PT1S in the test profile
        ProviderException e = stalled(p, connected(p).refreshToken().orElseThrow(), p.registration().requestTimeout());
        assertTrue(e.getMessage().contains("within PT1S (total deadline)"), e.getMessage());
    }
}
