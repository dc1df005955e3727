package dev.oauthgw.ops.signin;

import static dev.oauthgw.testing.OpsTestSupport.key;
import static dev.oauthgw.testing.OpsTestSupport.onboarded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.testing.Browser;
import dev.oauthgw.testing.BrowserTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * In a real headless Chromium: an operator opens a grant's page, signs in at the (sandbox) identity provider,
 * lands on the page she asked for, and signs out of both; someone outside the operator groups is told that
 * they are not an operator. Screenshots: target/screenshots/ops-oidc-*.png.
 */
@QuarkusTest
@TestProfile(OidcSignInProfile.class)
class OpsOidcBrowserTest extends BrowserTest {

    @Inject
    SandboxPartners sandboxPartners;

    private void signInAs(String user) {
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("user-" + user))).click();
        web.findElement(By.id("sign-in")).click();
    }

    @Test
    void operator_signs_in_at_the_identity_provider_and_out_again() {
        String partner = onboarded(sandboxPartners, key(), "Oidc Browser Ltd");
        web.get(url("/ops/grants/" + partner));
        wait.until(ExpectedConditions.urlContains("/sandbox/idp/authorize"));
        Browser.screenshot(web, "ops-oidc-0-identity-provider");
        signInAs("alice");

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("state")));
        assertEquals(url("/ops/grants/" + partner), web.getCurrentUrl());
        assertEquals("alice@vendor.example", web.findElement(By.id("operator")).getText());
        assertEquals("ACTIVE", web.findElement(By.id("state")).getAttribute("data-state"));
        Browser.screenshot(web, "ops-oidc-1-grant");

        web.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("signed-out")));
        assertTrue(web.getCurrentUrl().endsWith("/ops/login?logout=true"), web.getCurrentUrl());
        Browser.screenshot(web, "ops-oidc-2-signed-out");
        web.get(url("/ops"));
        wait.until(ExpectedConditions.urlContains("/sandbox/idp/authorize"));
    }

    @Test
    void someone_outside_the_operator_groups_sees_why_they_cannot_get_in() {
        web.get(url("/ops"));
        signInAs("bob");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("error")));
        String page = web.findElement(By.tagName("body")).getText();
        assertTrue(page.contains("Not an operator") && page.contains("bob@vendor.example"), page);
        Browser.screenshot(web, "ops-oidc-3-not-an-operator");
        // sign out, and come back as someone else
        web.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("signed-out")));
        web.get(url("/ops"));
        signInAs("alice");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("operator")));
        assertEquals("alice@vendor.example", web.findElement(By.id("operator")).getText());
    }
}
