package dev.oauthgw.ops.dashboard;

import dev.oauthgw.ops.signin.OpsPasswords;
import static dev.oauthgw.testing.OpsTestSupport.key;
import static dev.oauthgw.testing.OpsTestSupport.onboarded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.testing.Browser;
import dev.oauthgw.testing.BrowserTest;
import dev.oauthgw.testing.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * An operator's session in a real headless Chromium: sign in, filter, open a grant, force a refresh, a
 * dead grant brought back through a re-authorization link and the sandbox consent page, and a disconnect
 * that the sandbox sees as revoked. Screenshots go to target/screenshots/ops-*.png.
 */
@QuarkusTest
class OpsDashboardBrowserTest extends BrowserTest {

    @Inject
    Db db;
    @Inject
    SandboxGrants sandboxGrants;
    @Inject
    SandboxPartners sandboxPartners;
    @Inject
    SandboxCounters sandboxCounters;

    private String state() {
        return web.findElement(By.id("state")).getAttribute("data-state");
    }

    private void confirm(String actionId) {
        web.findElement(By.id(actionId)).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("confirm")));
    }

    @Test
    void operator_signs_in_filters_refreshes_reauthorizes_and_disconnects() {
        String k = key();
        String partner = onboarded(sandboxPartners, k, "Dashboard Demo " + k);

        // sign in: the dashboard sends an anonymous browser to the login page, and back after it
        web.get(url("/ops/grants/" + partner));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-in")));
        Browser.screenshot(web, "ops-0-sign-in");
        web.findElement(By.id("username")).sendKeys(OpsPasswords.DEV_USER);
        web.findElement(By.id("password")).sendKeys(OpsPasswords.DEV_PASSWORD);
        web.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("state")));
        assertTrue(web.getCurrentUrl().endsWith("/ops/grants/" + partner), web.getCurrentUrl());

        web.get(url("/ops"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("counts")));
        assertEquals("operator", web.findElement(By.id("operator")).getText());
        Browser.screenshot(web, "ops-1-overview");

        // filter: expiring within 7 days, searched by the partner's name
        web.findElement(By.id("nav-grants")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("filters")));
        new Select(web.findElement(By.id("filter"))).selectByValue("expiring");
        new Select(web.findElement(By.id("within"))).selectByValue("P7D");
        web.findElement(By.id("q")).sendKeys("dashboard demo " + k);
        web.findElement(By.id("apply")).click();
        wait.until(ExpectedConditions.urlContains("filter=expiring"));
        assertEquals(1, web.findElements(By.cssSelector("tr.grant")).size());
        assertEquals(partner, web.findElement(By.cssSelector("tr.grant")).getAttribute("data-partner"));
        Browser.screenshot(web, "ops-2-grants-filtered");
        new Select(web.findElement(By.id("filter"))).selectByValue("revoked");
        web.findElement(By.id("apply")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("no-grants")));
        new Select(web.findElement(By.id("filter"))).selectByValue("all");
        web.findElement(By.id("apply")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr.grant")));

        // open the grant
        web.findElement(By.linkText("Dashboard Demo " + k)).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("state")));
        assertEquals("ACTIVE", state());
        Browser.screenshot(web, "ops-3-grant");

        // force a refresh: a confirmation page, then one call to the provider
        long refreshes = sandboxCounters.refreshesForPartner(k);
        confirm("action-refresh");
        Browser.screenshot(web, "ops-4-confirm-refresh");
        web.findElement(By.id("confirm")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
        assertTrue(web.findElement(By.id("notice")).getText().startsWith("Refreshed"));
        assertEquals(refreshes + 1, sandboxCounters.refreshesForPartner(k));
        assertEquals("OK", web.findElement(By.id("last-outcome")).getText());

        // the partner disconnects the app at Pax8: the next refresh finds the grant dead
        sandboxGrants.revokePartner(k);
        confirm("action-refresh");
        web.findElement(By.id("confirm")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
        assertEquals("REAUTH_REQUIRED", state());
        assertTrue(web.findElement(By.id("failures")).getText().contains("REAUTH_REQUIRED"));
        assertFalse(web.findElements(By.id("action-refresh")).size() > 0, "a dead grant offers no refresh");
        Browser.screenshot(web, "ops-5-grant-reauth-required");

        // a re-authorization link, round-tripped through the sandbox consent page
        confirm("action-reauth");
        web.findElement(By.id("confirm")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("reauth-link")));
        String link = web.findElement(By.id("reauth-link")).getAttribute("value");
        // the copy button's script runs under the dashboard's Content-Security-Policy (no inline code)
        web.findElement(By.id("copy")).click();
        wait.until(d -> !d.findElement(By.id("copy")).getText().equals("Copy link"));
        assertTrue(link.contains("/onboarding/"), link);
        Browser.screenshot(web, "ops-6-reauthorization-link");
        web.get(link);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("connect")));
        web.findElement(By.id("connect")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("allow")));
        new Select(web.findElement(By.id("partner"))).selectByValue(k);
        web.findElement(By.id("allow")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("outcome")));
        assertEquals("SUCCESS", web.findElement(By.id("outcome")).getAttribute("data-outcome"));
        web.get(url("/ops/grants/" + partner));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("state")));
        assertEquals("ACTIVE", state());
        assertEquals(1, sandboxGrants.liveFamilies(k));
        Browser.screenshot(web, "ops-7-grant-active-again");

        // disconnect: revoked at the sandbox, tokens deleted
        confirm("action-disconnect");
        Browser.screenshot(web, "ops-8-confirm-disconnect");
        web.findElement(By.id("confirm")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
        assertEquals("REVOKED", state());
        assertEquals(0, sandboxGrants.liveFamilies(k), "the sandbox reports the grant revoked");
        assertEquals(null, db.one("select refresh_token from partner_grant where partner_id = ?", partner)
                .get("refresh_token"));
        assertTrue(web.findElement(By.id("history")).getText().contains("operator"));
        Browser.screenshot(web, "ops-9-grant-disconnected");

        // sign out: the dashboard is closed again
        web.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-in")));
        web.get(url("/ops"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-in")));
    }
}
