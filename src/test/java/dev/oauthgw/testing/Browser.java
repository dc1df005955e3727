package dev.oauthgw.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's headless Chromium driven by Selenium, with the flags this closed network needs. */
public final class Browser {

    private Browser() {
    }

    public static WebDriver start() {
        File driver = new File(System.getProperty("chromedriver", "/usr/bin/chromedriver"));
        File binary = new File(System.getProperty("chromium", "/usr/bin/chromium"));
        if (!driver.canExecute() || !binary.canExecute()) {
            throw new IllegalStateException("Browser tests need " + binary + " and " + driver
                    + ": apt-get install -y chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1200,900");
        // the console (CSP violations, script errors) for web.manage().logs().get(LogType.BROWSER)
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver)
                .usingAnyFreePort().build();
        WebDriver web = new ChromeDriver(service, options);
        web.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return web;
    }

    /** Saves a screenshot under target/screenshots/ for reviewers. */
    public static Path screenshot(WebDriver web, String name) {
        try {
            Path dir = Path.of("target", "screenshots");
            Files.createDirectories(dir);
            Path file = dir.resolve(name + ".png");
            Files.write(file, ((TakesScreenshot) web).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
