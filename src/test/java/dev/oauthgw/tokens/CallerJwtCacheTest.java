package dev.oauthgw.tokens;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.oauthgw.common.VerifiedJwtCache;
import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.testing.leaks.MintedSecrets;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;

/**
 * The verified-JWT cache is what the bearer-JWT endpoints use (/caller and /tokens), and a token answered from it
 * means exactly what it meant when it was verified: the same roles, the same partners claim; a changed token is not
 * answered from it. (Expiry, signature and the bound: VerifiedJwtCacheTest.)
 */
@QuarkusTest
class CallerJwtCacheTest {

    @Inject
    VerifiedJwtCache cache;

    @Test
    void caller_and_tokens_verify_a_token_once_and_then_answer_from_the_cache() {
        String jwt = TestJwt.withRoles("svc-cache", TokensResource.ROLE);
        long before = cache.size();
        given().auth().oauth2(jwt).get("/caller").then().statusCode(204);
        assertEquals(before + 1, cache.size(), "the verified token is held");
        given().auth().oauth2(jwt).get("/caller").then().statusCode(204);
        given().auth().oauth2(jwt).get("/tokens/no-such-partner").then().statusCode(404);
        assertEquals(before + 1, cache.size(), "the same token, one entry");
    }

    @Test
    void a_cached_token_keeps_its_partners_claim_and_roles() {
        String onlyAcme = MintedSecrets.record(Jwt.issuer(TestJwt.ISSUER).audience(TestJwt.AUDIENCE).upn("svc-acme")
                .groups(Set.of(TokensResource.ROLE)).claim(PartnersClaim.NAME, List.of("acme")).expiresIn(300).sign());
        for (int i = 0; i < 3; i++) { // the first from SmallRye's verification, the others from the cache
            given().auth().oauth2(onlyAcme).get("/tokens/globex").then().statusCode(403);
            given().auth().oauth2(onlyAcme).get("/caller").then().statusCode(204);
        }
        String viewer = TestJwt.withRoles("svc-viewer", "viewer");
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(viewer).get("/caller").then().statusCode(403);
        }
    }

    @Test
    void a_token_changed_after_signing_is_refused_though_the_original_is_cached() {
        String original = TestJwt.withRoles("eve@vendor.test", "viewer");
        given().auth().oauth2(original).get("/caller").then().statusCode(403);
        String[] parts = original.split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"viewer\"", "\"" + TokensResource.ROLE + "\"");
        String widened = MintedSecrets.record(parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2]);
        long before = cache.size();
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(widened).get("/caller").then().statusCode(401);
        }
        assertEquals(before, cache.size(), "a token that fails verification is not held");
    }
}
