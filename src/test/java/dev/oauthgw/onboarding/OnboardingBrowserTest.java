package dev.oauthgw.onboarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import dev.oauthgw.testing.Browser;
import dev.oauthgw.testing.BrowserTest;
import dev.oauthgw.testing.Db;
import dev.oauthgw.testing.OnboardingDriver;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** The partner admin's journey in a real headless Chromium: link, Connect, sandbox consent, result page. */
@QuarkusTest
class OnboardingBrowserTest extends BrowserTest {

    @Inject
    Db db;

    @Test
    void partner_admin_connects_in_a_real_browser() {
        String partner = OnboardingDriver.newPartner("Browser Partner GmbH");
        String link = OnboardingDriver.newLinkPath(partner);

        web.get(url(link));
        assertTrue(web.getPageSource().contains("Browser Partner GmbH"));
        Browser.screenshot(web, "onboarding-1-connect");
        web.findElement(By.id("connect")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("allow")));
        assertTrue(web.getCurrentUrl().contains("/sandbox/authorize"), web.getCurrentUrl());
        new Select(web.findElement(By.id("partner"))).selectByValue("acme");
        Browser.screenshot(web, "onboarding-2-sandbox-consent");
        web.findElement(By.id("allow")).click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("outcome")));
        Browser.screenshot(web, "onboarding-3-result");
        assertEquals("SUCCESS", web.findElement(By.id("outcome")).getAttribute("data-outcome"));
        assertEquals("ACTIVE", db.one("select state from partner_grant where partner_id = ?", partner).get("state"));
    }
}
