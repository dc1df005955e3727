package dev.oauthgw.testing;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.common.http.TestHTTPResourceManager;

/**
 * A test that drives a fresh headless Chromium ({@link Browser}) per test method against the test server. Tagged
 * {@value #TAG} (subclasses inherit the tag): the quick loop {@code ./mvnw test -DexcludedGroups=browser} leaves
 * them out.
 */
@Tag(BrowserTest.TAG)
public abstract class BrowserTest {

    public static final String TAG = "browser";

    protected WebDriver web;
    protected WebDriverWait wait;

    @BeforeEach
    void openBrowser() {
        web = Browser.start();
        wait = new WebDriverWait(web, Duration.ofSeconds(20));
    }

    @AfterEach
    void closeBrowser() {
        if (web != null) {
            web.quit();
        }
    }

    /** The test server's address of {@code path}. */
    protected static String url(String path) {
        return TestHTTPResourceManager.getUri().replaceAll("/$", "") + path;
    }
}
