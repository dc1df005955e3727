package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.oauthgw.testing.PackagedJarTest;

/**
 * Webhooks in the packaged jar, prod profile: a webhook URL without GATEWAY_WEBHOOK_SECRET, or a plain
 * http one, stops the start (naming the setting, printing no value); with both set it starts, and the
 * sandbox receiver is not there.
 */
@PackagedJarTest
class WebhookProdIT {

    private static final String SECRET = "prod-webhook-secret-" + ProdConfig.randomKey();
    private static final String URL_TOKEN = "url-token-" + ProdConfig.randomKey().substring(0, 12);

    private record Run(int exitCode, String output) {
    }

    private static Process start(Map<String, String> env, Path log, int port) throws IOException {
        return ProdConfig.launch(env, log, port);
    }

    private static Run refuses(Map<String, String> env) throws Exception {
        Path log = Files.createTempFile("prod-webhook", ".log");
        Process p = start(env, log, 0);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(Integer.MIN_VALUE, Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static void assertRefused(Run run, String expected) {
        assertNotEquals(Integer.MIN_VALUE, run.exitCode(), "the application started instead of refusing:\n" + run.output());
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains(expected), "expected '" + expected + "' in:\n" + run.output());
        assertFalse(run.output().contains(SECRET), "webhook secret printed");
        assertFalse(run.output().contains(URL_TOKEN), "webhook URL's token printed");
    }

    @Test
    void refuses_to_start_with_a_webhook_url_but_no_secret() throws Exception {
        Map<String, String> env = ProdConfig.env();
        env.put("GATEWAY_WEBHOOK_URL", "https://hooks.example.test/in?token=" + URL_TOKEN);
        assertRefused(refuses(env), "GATEWAY_WEBHOOK_SECRET");
    }

    @Test
    void refuses_to_start_with_a_plain_http_webhook_url() throws Exception {
        Map<String, String> env = ProdConfig.env();
        env.put("GATEWAY_WEBHOOK_URL", "http://hooks.example.test/in?token=" + URL_TOKEN);
        env.put("GATEWAY_WEBHOOK_SECRET", SECRET);
        assertRefused(refuses(env), "gateway.webhook.url must use https");
    }

    @Test
    void starts_with_url_and_secret_and_has_no_sandbox_receiver() throws Exception {
        Map<String, String> env = ProdConfig.env();
        env.put("GATEWAY_WEBHOOK_URL", "https://hooks.example.test/in?token=" + URL_TOKEN);
        env.put("GATEWAY_WEBHOOK_SECRET", SECRET);
        Path log = Files.createTempFile("prod-webhook", ".log");
        Process p = start(env, log, 0);
        try {
            String base = ProdConfig.awaitListening(p, log);
            String management = ProdConfig.managementUrl(log);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            int ready = -1;
            for (int i = 0; i < 120 && p.isAlive() && ready != 200; i++) {
                ready = http.send(HttpRequest.newBuilder(URI.create(management + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (ready != 200) {
                    Thread.sleep(500);
                }
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(200, ready, output);
            URI receiver = URI.create(base + "/sandbox/webhook-receiver");
            assertEquals(404, http.send(HttpRequest.newBuilder(receiver).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(404, http.send(HttpRequest.newBuilder(receiver).POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            assertTrue(output.contains("Webhooks on: grant events go to https://hooks.example.test"), output);
            assertFalse(output.contains(SECRET), "webhook secret printed");
            assertFalse(output.contains(URL_TOKEN), "webhook URL's token printed");
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
