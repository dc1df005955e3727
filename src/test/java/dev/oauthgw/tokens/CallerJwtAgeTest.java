package dev.oauthgw.tokens;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;

/**
 * A caller's JWT may be at most a day old (now - iat) and issued for at most a day (exp - iat): the default of
 * GATEWAY_JWT_MAX_AGE, the same in every profile.
 */
@QuarkusTest
class CallerJwtAgeTest {

    private static String jwt(Instant issuedAt, Instant expiresAt) {
        return Jwt.issuer(TestJwt.ISSUER).audience(TestJwt.AUDIENCE).upn("svc-age").groups(Set.of(TokensResource.ROLE))
                .issuedAt(issuedAt).expiresAt(expiresAt).sign();
    }

    @Test
    void a_jwt_issued_more_than_a_day_ago_is_refused_though_not_expired() {
        Instant now = Instant.now();
        given().auth().oauth2(jwt(now.minus(Duration.ofHours(25)), now.plusSeconds(300))).get("/caller")
                .then().statusCode(401);
    }

    @Test
    void a_jwt_issued_for_longer_than_a_day_is_refused() {
        Instant now = Instant.now();
        given().auth().oauth2(jwt(now, now.plus(Duration.ofDays(30)))).get("/caller").then().statusCode(401);
    }

    @Test
    void a_jwt_within_the_maximum_age_is_accepted() {
        Instant now = Instant.now();
        given().auth().oauth2(jwt(now.minus(Duration.ofHours(23)), now.plus(Duration.ofMinutes(30)))).get("/caller")
                .then().statusCode(204);
    }
}
