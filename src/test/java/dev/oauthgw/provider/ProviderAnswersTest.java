package dev.oauthgw.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.provider.ProviderException.Kind;

/** Reading and classifying provider answers, as a pure function (no Quarkus, no HTTP). */
class ProviderAnswersTest {

    private static final String SECRET = "answers-secret-never-printed";
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private final ProviderAnswers answers = new ProviderAnswers(new ObjectMapper(), Clock.fixed(NOW, ZoneOffset.UTC));
    private final RegisteredProvider provider = Registrations.registration("pax8", "gw-client", SECRET, Map.of());

    private ProviderException failure(int status, String body) {
        return failure(status, body, Optional.empty());
    }

    private ProviderException failure(int status, String body, Optional<String> retryAfter) {
        return answers.failure(provider, "Token endpoint", status, body, retryAfter);
    }

    private ProviderException malformed(String body) {
        return assertThrows(ProviderException.class, () -> answers.token(provider, body, NOW));
    }

    // failures

    @Test
    void a_dead_refresh_token_answered_403_invalid_grant_is_a_permanent_invalid_grant() {
        ProviderException e = failure(403, "{\"error\":\"invalid_grant\",\"error_description\":\"Unknown or invalid refresh token.\"}");
        assertEquals(Kind.INVALID_GRANT, e.kind());
        assertTrue(e.kind().isPermanent());
        assertEquals(403, e.httpStatus());
        assertEquals("invalid_grant", e.error().orElseThrow());
        assertTrue(e.retryAfter().isEmpty());
        assertEquals("Token endpoint of 'pax8' answered 403 invalid_grant: Unknown or invalid refresh token.",
                e.getMessage());
    }

    @Test
    void invalid_grant_with_400_is_invalid_grant_too() {
        assertEquals(Kind.INVALID_GRANT, failure(400, "{\"error\":\"invalid_grant\"}").kind());
    }

    @ParameterizedTest
    @CsvSource({ "400, invalid_client", "401, invalid_client", "400, unauthorized_client", "403, unauthorized_client" })
    void invalid_client_and_unauthorized_client_mean_the_client_is_rejected_permanently(int status, String error) {
        ProviderException e = failure(status, "{\"error\":\"" + error + "\"}");
        assertEquals(Kind.CLIENT_REJECTED, e.kind());
        assertTrue(e.kind().isPermanent());
    }

    @Test
    void a_bare_401_without_an_oauth_error_is_a_rejected_client() {
        assertEquals(Kind.CLIENT_REJECTED, failure(401, "Unauthorized").kind());
        assertEquals(Kind.CLIENT_REJECTED, failure(401, "").kind());
    }

    @ParameterizedTest
    @CsvSource({ "400, '{\"error\":\"invalid_request\"}'", "400, '{\"error\":\"invalid_scope\"}'",
            "400, '{\"error\":\"unsupported_grant_type\"}'", "403, '{\"error\":\"access_denied\"}'",
            "400, 'Bad Request'", "404, '<html>not here</html>'" })
    void other_refusals_are_permanently_rejected_requests(int status, String body) {
        ProviderException e = failure(status, body);
        assertEquals(Kind.REQUEST_REJECTED, e.kind());
        assertTrue(e.kind().isPermanent());
    }

    @ParameterizedTest
    @CsvSource({ "500, '{\"error\":\"invalid_grant\"}'", "502, '<html>Bad Gateway</html>'", "503, ''",
            "408, '{\"error\":\"invalid_client\"}'", "429, '{\"error\":\"too_many_requests\"}'" })
    void server_errors_408_and_429_are_transient_whatever_the_body_says(int status, String body) {
        ProviderException e = failure(status, body);
        assertEquals(Kind.TRANSIENT, e.kind());
        assertFalse(e.kind().isPermanent());
        assertEquals(status, e.httpStatus());
    }

    @Test
    void a_429_is_transient_and_carries_retry_after_in_seconds() {
        ProviderException e = failure(429, "{\"error\":\"too_many_requests\"}", Optional.of(" 42 "));
        assertEquals(Kind.TRANSIENT, e.kind());
        assertEquals(Duration.ofSeconds(42), e.retryAfter().orElseThrow());
    }

    @Test
    void retry_after_as_an_http_date_counts_from_the_clock_and_is_never_negative() {
        assertEquals(Duration.ofSeconds(90),
                failure(503, "", Optional.of("Sat, 01 Mar 2025 12:01:30 GMT")).retryAfter().orElseThrow());
        assertEquals(Duration.ZERO,
                failure(503, "", Optional.of("Sat, 01 Mar 2025 11:00:00 GMT")).retryAfter().orElseThrow());
        assertEquals(Duration.ZERO, failure(429, "", Optional.of("-5")).retryAfter().orElseThrow());
    }

    @Test
    void an_unreadable_retry_after_is_left_out() {
        assertTrue(failure(429, "", Optional.of("soon")).retryAfter().isEmpty());
    }

    @Test
    void the_message_carries_sanitised_provider_text_and_no_secret() {
        String description = "bad\nclient\u00e9 " + "x".repeat(300);
        ProviderException e = failure(401,
                "{\"error\":\"invalid_client\",\"error_description\":\"" + description.replace("\n", "\\n") + "\"}");
        assertTrue(e.getMessage().startsWith("Token endpoint of 'pax8' answered 401 invalid_client: bad?client? xxx"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("..."), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @ParameterizedTest
    @CsvSource({ "invalid_grant, INVALID_GRANT", "invalid_client, CLIENT_REJECTED",
            "unauthorized_client, CLIENT_REJECTED", "invalid_request, REQUEST_REJECTED" })
    void kind_of_a_400_follows_the_oauth_error(String error, Kind kind) {
        assertEquals(kind, ProviderAnswers.kind(400, error));
    }

    // 2xx answers

    @ParameterizedTest
    @ValueSource(strings = { "not json", "{}", "{\"access_token\":\"  \",\"expires_in\":60}",
            "{\"access_token\":\"a\",\"token_type\":\"mac\",\"expires_in\":60}", "{\"access_token\":\"a\"}",
            "{\"access_token\":\"a\",\"expires_at\":\"tomorrow\"}" })
    void a_2xx_that_is_not_a_usable_token_answer_is_malformed_and_not_permanent(String body) {
        ProviderException e = malformed(body);
        assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
        assertFalse(e.kind().isPermanent());
        assertEquals(200, e.httpStatus());
        assertTrue(e.getMessage().startsWith("Token endpoint of 'pax8' answered 2xx with "), e.getMessage());
    }

    @Test
    void a_malformed_answer_never_quotes_the_token() {
        ProviderException e = malformed("{\"access_token\":\"the-access-token\",\"token_type\":\"mac\",\"expires_in\":60}");
        assertEquals("Token endpoint of 'pax8' answered 2xx with token_type mac", e.getMessage());
    }

    @Test
    void pax8_expires_at_wins_when_it_is_earlier_than_expires_in() {
        TokenResponse t = answers.token(provider, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":86400,"
                + "\"expires_at\":\"2025-03-02T11:00:00+00:00\",\"scope\":\"s\"}", NOW);
        assertEquals(Instant.parse("2025-03-02T11:00:00Z"), t.expiresAt());
    }

    @Test
    void expires_in_counts_from_the_send_time_and_wins_when_earlier() {
        TokenResponse t = answers.token(provider,
                "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":60,\"expires_at\":\"2025-03-02T11:00:00Z\"}", NOW);
        assertEquals(NOW.plusSeconds(60), t.expiresAt());
    }

    @Test
    void defaults_registration_scopes_and_no_refresh_token_when_blank() {
        TokenResponse t = answers.token(provider, "{\"access_token\":\"a\",\"token_type\":\"bearer\",\"expires_in\":60,\"refresh_token\":\"\","
                + "\"refresh_token_expires_in\":3600}", NOW);
        assertEquals("Bearer", t.tokenType());
        assertEquals("Manage:Pax8Data offline_access", t.scope());
        assertTrue(t.refreshToken().isEmpty());
        assertEquals(NOW.plusSeconds(3600), t.refreshExpiresAt().orElseThrow());
    }

    @Test
    void a_token_answer_prints_no_token() {
        TokenResponse t = answers.token(provider, "{\"access_token\":\"the-access-token\",\"token_type\":\"bearer\","
                + "\"expires_in\":60,\"refresh_token\":\"the-refresh-token\"}", NOW);
        assertEquals("the-refresh-token", t.refreshToken().orElseThrow());
        assertFalse(t.toString().contains("the-access-token"));
        assertFalse(t.toString().contains("the-refresh-token"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":4611686018427387903}",
            "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":300000000000}",
            "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":-99999999999999}",
            "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token_expires_in\":9223372036854775807}" })
    void an_expiry_no_database_can_hold_is_malformed_not_an_exception(String body) {
        ProviderException e = assertThrows(ProviderException.class, () -> answers.token(provider, body, NOW));
        assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void a_scope_longer_than_a_grant_keeps_is_malformed() {
        String scope = "x".repeat(TokenResponse.MAX_SCOPE_LENGTH + 1);
        ProviderException e = assertThrows(ProviderException.class, () -> answers.token(provider,
                "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":60,\"scope\":\"" + scope + "\"}", NOW));
        assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
        assertEquals("a", answers.token(provider, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":60,\"scope\":\""
                + "x".repeat(TokenResponse.MAX_SCOPE_LENGTH) + "\"}", NOW).accessToken());
    }

    @Test
    void the_new_refresh_token_is_read_from_any_2xx_answer_however_odd_the_rest() {
        assertEquals("rt-1", answers.refreshToken("{\"refresh_token\":\"rt-1\",\"token_type\":\"mac\"}").orElseThrow());
        assertEquals("rt-2", answers.refreshToken("{\"refresh_token\":\"rt-2\"}").orElseThrow());
        assertTrue(answers.refreshToken("{\"access_token\":\"a\"}").isEmpty());
        assertTrue(answers.refreshToken("{\"refresh_token\":\"  \"}").isEmpty());
        assertTrue(answers.refreshToken("not json").isEmpty());
    }

    @Test
    void a_retry_after_beyond_a_day_counts_as_a_day() {
        assertEquals(Duration.ofDays(1), answers.retryAfter("999999999999"));
        assertEquals(Duration.ofDays(1), answers.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT"));
    }

    // validated before stored (issue 18, ADR 0019)

    private static String answer(String accessToken, String extra) {
        return "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\"" + extra + "}";
    }

    @ParameterizedTest
    @ValueSource(longs = { 86_400_000L, 0, -3600, 59, 604_801 })
    void an_expires_in_outside_sixty_seconds_to_seven_days_is_malformed(long expiresIn) {
        ProviderException e = malformed(answer("a", ",\"expires_in\":" + expiresIn));
        assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
        assertEquals("Token endpoint of 'pax8' answered 2xx with expires_in out of range (" + expiresIn
                + " s; a token lifetime must be between PT1M and PT168H)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(longs = { 60, 86_400, 604_800 })
    void an_expires_in_from_sixty_seconds_to_seven_days_is_taken(long expiresIn) {
        assertEquals(NOW.plusSeconds(expiresIn), answers.token(provider, answer("a", ",\"expires_in\":" + expiresIn),
                NOW).expiresAt());
    }

    @ParameterizedTest
    @ValueSource(strings = { "2025-03-01T12:00:30Z", "2025-03-01T11:00:00Z", "2025-03-20T12:00:00Z" })
    void an_expires_at_less_than_a_minute_or_more_than_seven_days_after_the_request_is_malformed(String at) {
        ProviderException e = malformed(answer("a", ",\"expires_at\":\"" + at + "\""));
        assertTrue(e.getMessage().startsWith("Token endpoint of 'pax8' answered 2xx with expires_at out of range"),
                e.getMessage());
    }

    @Test
    void an_expires_in_in_milliseconds_is_malformed_even_beside_a_sane_expires_at() {
        ProviderException e = malformed(answer("a", ",\"expires_in\":86400000,\"expires_at\":\"2025-03-02T12:00:00Z\""));
        assertTrue(e.getMessage().contains("expires_in out of range"), e.getMessage());
    }

    @Test
    void the_lifetime_bounds_are_the_registrations() {
        RegisteredProvider shortLived = Registrations.registration("pax8", "gw-client", SECRET,
                Map.of("min-token-lifetime", "PT1S", "max-token-lifetime", "P30D"));
        assertEquals(NOW.plusSeconds(6), answers.token(shortLived, answer("a", ",\"expires_in\":6"), NOW).expiresAt());
        assertEquals(NOW.plus(Duration.ofDays(20)), answers.token(shortLived,
                answer("a", ",\"expires_in\":" + Duration.ofDays(20).toSeconds()), NOW).expiresAt());
        assertThrows(ProviderException.class, () -> answers.token(shortLived, answer("a", ",\"expires_in\":0"), NOW));
    }

    @ParameterizedTest
    @ValueSource(strings = { "at-1\\r\\nX-Injected: 1", "at 1", "at\\u00e91", "at=1", "==", "at-1\\n", "at\\t1", "at,1",
            "at;1", "at\\\"1" })
    void an_access_token_outside_the_b64token_characters_is_malformed_and_not_quoted(String token) {
        ProviderException e = malformed(answer(token, ",\"expires_in\":3600"));
        assertEquals("Token endpoint of 'pax8' answered 2xx with an access_token with characters outside RFC 6750's "
                + "b64token set", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "AZaz09-._~+/", "abc=", "abc==" })
    void b64token_characters_with_trailing_padding_are_taken(String token) {
        assertEquals(token, answers.token(provider, answer(token, ",\"expires_in\":3600"), NOW).accessToken());
    }

    @Test
    void a_token_over_16_kib_is_malformed() {
        String at16k = "a".repeat(16 * 1024);
        assertEquals(at16k, answers.token(provider, answer(at16k, ",\"expires_in\":3600"), NOW).accessToken());
        ProviderException e = malformed(answer(at16k + "a", ",\"expires_in\":3600"));
        assertEquals("Token endpoint of 'pax8' answered 2xx with an access_token of 16385 characters (at most 16384)",
                e.getMessage());
        ProviderException r = malformed(answer("a", ",\"expires_in\":3600,\"refresh_token\":\"" + at16k + "a\""));
        assertTrue(r.getMessage().endsWith("with a refresh_token of 16385 characters (at most 16384)"), r.getMessage());
    }

    @Test
    void a_refresh_token_with_a_line_break_is_malformed_but_is_still_handed_over_to_be_kept() {
        String body = answer("a", ",\"expires_in\":3600,\"refresh_token\":\"rt-1\\r\\nx\"");
        ProviderException e = malformed(body);
        assertTrue(e.getMessage().endsWith("refresh_token with characters outside RFC 6750's b64token set"),
                e.getMessage());
        assertEquals("rt-1\r\nx", answers.refreshToken(body).orElseThrow(), "the rotated token is kept all the same");
    }

    @Test
    void token_type_is_required_and_bearer_in_any_case() {
        assertEquals("Token endpoint of 'pax8' answered 2xx with no token_type",
                malformed("{\"access_token\":\"a\",\"expires_in\":3600}").getMessage());
        assertEquals("Bearer", answers.token(provider, "{\"access_token\":\"a\",\"token_type\":\"BEARER\","
                + "\"expires_in\":3600}", NOW).tokenType());
        assertEquals("Token endpoint of 'pax8' answered 2xx with token_type DPoP", malformed(
                "{\"access_token\":\"a\",\"token_type\":\"DPoP\",\"expires_in\":3600}").getMessage());
    }
}
