package dev.oauthgw.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.oauthgw.common.GatewayException;

/**
 * {@code min_valid} of GET /tokens and GET /tokens/vendor/{name}, without a server: the query value is parsed
 * ({@link TokensResource#parse}) and checked against the default and the cap
 * ({@link TokenService#minValidity(java.util.Optional, Duration, Duration)}), exactly as both resources do.
 * Every refusal is the API's 400 problem with a detail that tells the caller what to send.
 */
class MinValidParsingTest {

    private static final Duration DEFAULT = Duration.ofMinutes(5);
    private static final Duration CAP = Duration.ofHours(6);

    private static Duration minValid(String queryValue) {
        return TokenService.minValidity(TokensResource.parse(queryValue), DEFAULT, CAP);
    }

    private static GatewayException refused(String queryValue) {
        GatewayException e = assertThrows(GatewayException.class, () -> minValid(queryValue));
        assertEquals(400, e.status(), e.getMessage());
        assertEquals("bad-request", e.type());
        return e;
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { " ", "\t" })
    void a_missing_or_blank_min_valid_takes_the_default(String queryValue) {
        assertEquals(DEFAULT, minValid(queryValue));
    }

    @Test
    void an_iso_8601_duration_is_taken_as_asked() {
        assertEquals(Duration.ofMinutes(10), minValid("PT10M"));
        assertEquals(Duration.ofSeconds(90), minValid("PT1M30S"));
        assertEquals(Duration.ofMillis(1500), minValid("PT1.5S"));
        assertEquals(Duration.ofHours(2), minValid("P0DT2H"));
    }

    @Test
    void lower_case_letters_are_accepted_like_java_time_does() {
        assertEquals(Duration.ofMinutes(10), minValid("pt10m"));
    }

    @Test
    void zero_is_allowed_and_means_any_unexpired_token() {
        assertEquals(Duration.ZERO, minValid("PT0S"));
        assertEquals(Duration.ZERO, minValid("P0D"));
        assertEquals(Duration.ZERO, minValid("-PT0S"));
    }

    @Test
    void exactly_the_cap_is_allowed_and_a_nanosecond_more_is_refused() {
        assertEquals(CAP, minValid("PT6H"));
        assertEquals("min_valid must be between PT0S and PT6H.", refused("PT6H0.000000001S").getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "-PT1M", "PT-1M", "-PT0.000000001S", "PT1M-61S" })
    void a_negative_duration_is_refused(String queryValue) {
        assertEquals("min_valid must be between PT0S and PT6H.", refused(queryValue).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "P2D", "PT7H", "P365D", "PT9223372036854775807S" })
    void more_than_the_cap_is_refused(String queryValue) {
        assertEquals("min_valid must be between PT0S and PT6H.", refused(queryValue).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "PT9223372036854775808S", "P999999999999999D", "PT99999999999999999999H" })
    void a_number_too_big_for_a_duration_is_a_400_not_a_server_error(String queryValue) {
        assertEquals("min_valid must be an ISO-8601 duration such as PT10M.", refused(queryValue).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "ten minutes", "10m", "600", "PT", "P", "PT10", "T10M", "P1M", "P1Y", "PT10M30",
            "PT10M;drop", "PT10\u0660M", "P1W" })
    void anything_else_is_refused_with_an_example_of_the_format(String queryValue) {
        assertEquals("min_valid must be an ISO-8601 duration such as PT10M.", refused(queryValue).getMessage());
    }
}
