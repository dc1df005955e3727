package dev.oauthgw.ops.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;

import dev.oauthgw.ops.signin.OpsPasswords;
import dev.oauthgw.testing.Browser;
import dev.oauthgw.testing.BrowserTest;
import dev.oauthgw.testing.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The overview's charts in a real headless Chromium under the dashboard's Content-Security-Policy: both SVGs render
 * with bars, their numbers open without a script, and the console reports no CSP violation (the check is shown to
 * catch one). Screenshots: target/screenshots/ops-charts-*.png.
 */
@QuarkusTest
class OpsChartsBrowserTest extends BrowserTest {

    @Inject
    Db db;

    private ChartRows rows;

    @BeforeEach
    void load() {
        rows = new ChartRows(db, "chartb");
    }

    @AfterEach
    void unload() {
        rows.unload();
    }

    private void grant(String state, Instant accessExpiresAt) {
        rows.grant(state, accessExpiresAt);
    }

    private void audit(String action, Instant at, String kind, String to) {
        rows.audit(action, at,
                "{\"from\":\"ACTIVE\",\"to\":\"" + to + "\"" + (kind == null ? "" : ",\"kind\":\"" + kind + "\"") + "}");
    }

    /** A day that looks like one: expiries spread over the next hours, refreshes every hour, an outage in the night. */
    private void seed() {
        Instant now = Instant.now();
        for (int h = 0; h < 24; h++) {
            for (int i = 0; i < 2 + (h * 7) % 9; i++) {
                grant("ACTIVE", now.plus(Duration.ofMinutes(h * 60L + 10 + i)));
            }
            if (h % 5 == 2) {
                grant("REFRESH_FAILING", now.plus(Duration.ofMinutes(h * 60L + 20)));
            }
        }
        Instant hour = now.truncatedTo(ChronoUnit.HOURS);
        for (int h = 0; h < 24; h++) {
            Instant at = hour.minus(Duration.ofHours(h)).plusSeconds(30);
            for (int i = 0; i < 6 + (h * 5) % 7; i++) {
                audit("GRANT_REFRESHED", at.plusSeconds(i), null, "ACTIVE");
            }
            if (h >= 6 && h <= 9) {
                for (int i = 0; i < 4; i++) {
                    audit("REFRESH_FAILED", at.plusSeconds(20 + i), "TRANSIENT", "REFRESH_FAILING");
                }
            }
            if (h == 8) {
                audit("REFRESH_FAILED", at.plusSeconds(30), "INVALID_GRANT", "REAUTH_REQUIRED");
                audit("REFRESH_FAILED", at.plusSeconds(31), "MALFORMED_RESPONSE", "REFRESH_FAILING");
            }
        }
    }

    private List<String> cspViolations() {
        return web.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy") || m.contains("Refused to")).toList();
    }

    private static void screenshot(WebElement e, String name) {
        try {
            Path dir = Path.of("target", "screenshots");
            Files.createDirectories(dir);
            Files.write(dir.resolve(name + ".png"), e.getScreenshotAs(OutputType.BYTES));
        } catch (IOException x) {
            throw new IllegalStateException(x);
        }
    }

    @Test
    void the_overview_draws_both_charts_without_breaking_the_content_security_policy() {
        seed();
        web.get(url("/ops"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-in")));
        web.findElement(By.id("username")).sendKeys(OpsPasswords.DEV_USER);
        web.findElement(By.id("password")).sendKeys(OpsPasswords.DEV_PASSWORD);
        web.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chart-expiries")));
        web.manage().logs().get(LogType.BROWSER); // the sign-in page's entries are not this page's

        web.navigate().refresh();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chart-outcomes")));
        assertEquals(2, web.findElements(By.cssSelector("svg.chart")).size());
        for (String id : List.of("chart-expiries", "chart-outcomes")) {
            WebElement svg = web.findElement(By.id(id));
            assertTrue(svg.isDisplayed(), id);
            assertTrue(svg.getSize().getHeight() > 100 && svg.getSize().getWidth() > 300, id + " " + svg.getSize());
            assertEquals(24, svg.findElements(By.cssSelector("g.bucket")).size(), id);
            assertTrue(svg.findElements(By.cssSelector("rect.bar")).size() >= 24, id);
            assertEquals("img", svg.getAttribute("role"));
            // the colours come from the dashboard's stylesheet (allowed by the CSP), not from inline attributes
            WebElement bar = svg.findElement(By.cssSelector("rect.bar"));
            assertTrue(!bar.getCssValue("fill").isBlank() && !bar.getCssValue("fill").equals("rgb(0, 0, 0)"),
                    bar.getCssValue("fill"));
        }
        assertEquals("rgb(31, 157, 85)", web.findElement(By.cssSelector("#chart-expiries rect.s-active")).getCssValue("fill"));
        assertEquals("rgb(221, 107, 32)", web.findElement(By.cssSelector("#chart-expiries rect.s-failing")).getCssValue("fill"));
        assertEquals("rgb(197, 48, 48)", web.findElement(By.cssSelector("#chart-outcomes rect.s-reauth")).getCssValue("fill"));
        Browser.screenshot(web, "ops-charts-overview");
        screenshot(web.findElement(By.id("expiries-chart")), "ops-charts-expiries");
        screenshot(web.findElement(By.id("outcomes-chart")), "ops-charts-outcomes");

        // the numbers behind a chart open without a script (<details>)
        WebElement table = web.findElement(By.id("chart-outcomes-data"));
        assertTrue(!table.isDisplayed());
        web.findElement(By.cssSelector("#outcomes-chart summary")).click();
        wait.until(ExpectedConditions.visibilityOf(table));
        assertEquals(25, table.findElements(By.tagName("tr")).size(), "a header and 24 hours");
        Browser.screenshot(web, "ops-charts-numbers");

        assertEquals(List.of(), cspViolations(), "no CSP violation on the overview");

        // the check catches one: an inline script is refused by this page's policy and reported in the console
        ((JavascriptExecutor) web).executeScript("var s = document.createElement('script');"
                + "s.textContent = 'document.title = \"inline ran\"'; document.body.appendChild(s);");
        wait.until(d -> !cspViolations().isEmpty() || d.getTitle().equals("inline ran"));
        assertTrue(!web.getTitle().equals("inline ran"), "the policy blocks inline scripts");
    }
}
