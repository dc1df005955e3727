package dev.oauthgw.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Start-up validation of the webhook configuration, without Quarkus. */
class WebhookConfigTest {

    static final String SECRET = "wh-s3cr3t-value-that-must-never-be-printed";

    static WebhookConfig config(Map<String, String> props) {
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(WebhookConfig.class)
                .withSources(new PropertiesConfigSource(props, "test", 100)).build();
        return c.getConfigMapping(WebhookConfig.class);
    }

    private static Map<String, String> with(String url, String secret) {
        Map<String, String> m = new HashMap<>();
        if (url != null) {
            m.put("gateway.webhook.url", url);
        }
        if (secret != null) {
            m.put("gateway.webhook.secret", secret);
        }
        return m;
    }

    @Test
    void without_a_url_webhooks_are_off_and_the_application_starts() {
        assertTrue(WebhookEndpoint.from(config(with(null, null))).isEmpty());
        assertTrue(WebhookEndpoint.from(config(with(null, SECRET))).isEmpty());
    }

    @Test
    void defaults() {
        WebhookConfig c = config(with(null, null));
        assertEquals("5s", c.pollEvery());
        assertEquals(12, c.maxAttempts());
        assertEquals(Duration.ofSeconds(10), c.backoffInitial());
        assertEquals(Duration.ofHours(1), c.backoffMax());
        assertEquals(Duration.ofSeconds(5), c.connectTimeout());
        assertEquals(Duration.ofSeconds(10), c.requestTimeout());
        assertEquals(50, c.batchSize());
        assertTrue(c.requireHttps());
    }

    @Test
    void a_url_without_a_secret_stops_start_up_naming_the_variable() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WebhookEndpoint.from(config(with("https://hooks.example/in?token=abc123", null))));
        assertTrue(e.getMessage().contains("GATEWAY_WEBHOOK_SECRET"), e.getMessage());
        assertFalse(e.getMessage().contains("abc123"), e.getMessage());
    }

    @Test
    void a_blank_or_short_secret_stops_start_up_without_printing_it() {
        assertThrows(IllegalStateException.class, () -> WebhookEndpoint.from(config(with("https://hooks.example", "  "))));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WebhookEndpoint.from(config(with("https://hooks.example", "short-secret"))));
        assertTrue(e.getMessage().contains("GATEWAY_WEBHOOK_SECRET"), e.getMessage());
        assertFalse(e.getMessage().contains("short-secret"), e.getMessage());
    }

    @Test
    void plain_http_is_refused_when_https_is_required_and_no_secret_is_printed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WebhookEndpoint.from(config(with("http://hooks.example/in", SECRET))));
        assertTrue(e.getMessage().contains("gateway.webhook.url must use https"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void plain_http_is_allowed_when_https_is_not_required() {
        Map<String, String> m = with("http://hooks.example/in", SECRET);
        m.put("gateway.webhook.require-https", "false");
        assertTrue(WebhookEndpoint.from(config(m)).isPresent());
    }

    @Test
    void a_relative_url_and_bad_tuning_are_refused() {
        Map<String, String> m = with("/relative", SECRET);
        m.put("gateway.webhook.max-attempts", "0");
        m.put("gateway.webhook.batch-size", "0");
        m.put("gateway.webhook.backoff-initial", "PT2H");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WebhookEndpoint.from(config(m)));
        assertTrue(e.getMessage().contains("not an absolute http(s) URL"), e.getMessage());
        assertTrue(e.getMessage().contains("max-attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("batch-size"), e.getMessage());
        assertTrue(e.getMessage().contains("backoff-initial"), e.getMessage());
    }

    @Test
    void the_endpoint_and_the_config_never_print_the_secret_or_the_url_path() {
        WebhookConfig c = config(with("https://hooks.example:8443/in/T0KEN-IN-PATH?sig=abc", SECRET));
        WebhookEndpoint ep = WebhookEndpoint.from(c).orElseThrow();
        assertEquals("WebhookEndpoint[https://hooks.example:8443, secret=<hidden>]", ep.toString());
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertTrue(ep.sign(1_795_821_234L, "{}".getBytes()).startsWith("t=1795821234,v1="));
    }
}
