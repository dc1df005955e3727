package dev.oauthgw.ops.admin;

import dev.oauthgw.testing.OpsTestSupport;

import static dev.oauthgw.testing.OnboardingDriver.newPartner;
import static dev.oauthgw.testing.OnboardingDriver.onboard;
import static dev.oauthgw.testing.OnboardingDriver.outcome;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.testing.TestJwt;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** The key-rotation endpoints: operators only, and they report without any key material. */
@QuarkusTest
class AdminCryptoApiTest {

    @Inject
    TokenCipher cipher;
    @Inject
    dev.oauthgw.sandbox.authserver.SandboxPartners sandboxPartners;

    @Test
    void operators_see_key_usage_and_run_the_reencryption() {
        String partner = OpsTestSupport.onboarded(sandboxPartners, OpsTestSupport.key(), "Crypto API Partner");
        given().auth().oauth2(TestJwt.ops()).get("/admin/crypto/keys").then().statusCode(200)
                .body("primary_key_id", equalTo(cipher.primaryKeyId())).body("values_by_key_id", notNullValue());
        given().auth().oauth2(TestJwt.ops()).post("/admin/crypto/reencrypt").then().statusCode(200)
                .body("primary_key_id", equalTo(cipher.primaryKeyId()));
        given().auth().oauth2(TestJwt.ops()).get("/tokens/" + partner).then().statusCode(403);
    }

    @Test
    void key_endpoints_refuse_anonymous_and_non_operators() {
        given().get("/admin/crypto/keys").then().statusCode(401);
        given().post("/admin/crypto/reencrypt").then().statusCode(401);
        given().auth().oauth2(TestJwt.withRoles("svc", "tokens:read")).post("/admin/crypto/reencrypt").then()
                .statusCode(403);
    }
}
