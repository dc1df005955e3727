package dev.oauthgw.events;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A validated webhook target: the URL and the signing secret. Its {@code toString()} names the host
 * only: the secret is never printed, and neither is the URL's path or query (some receivers put a
 * token in it).
 */
public final class WebhookEndpoint {

    static final int MIN_SECRET_LENGTH = 16;

    private final URI url;
    private final byte[] secret;

    private WebhookEndpoint(URI url, byte[] secret) {
        this.url = url;
        this.secret = secret;
    }

    /**
     * Checks the configuration: empty when no URL is configured (webhooks off); the endpoint when URL and
     * secret are usable; otherwise throws, listing every problem by setting and environment variable,
     * never by value. A URL without a secret, a short secret, a non-https URL (where https is required)
     * or a bad tuning value stop the application from starting.
     */
    public static Optional<WebhookEndpoint> from(WebhookConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Webhook configuration is not usable:\n - " + String.join("\n - ", problems));
        }
        Optional<String> secret = config.secret().filter(s -> !s.isBlank());
        return config.url().map(u -> new WebhookEndpoint(u, secret.get().getBytes(StandardCharsets.UTF_8)));
    }

    /** What is wrong with the webhook configuration (setting names, never values); empty when it is usable. */
    public static List<String> problems(WebhookConfig config) {
        List<String> problems = new ArrayList<>();
        Optional<String> secret = config.secret().filter(s -> !s.isBlank());
        Optional<URI> url = config.url();
        if (url.isPresent()) {
            URI u = url.get();
            if (!u.isAbsolute() || u.getHost() == null
                    || !("https".equalsIgnoreCase(u.getScheme()) || "http".equalsIgnoreCase(u.getScheme()))) {
                problems.add("gateway.webhook.url is not an absolute http(s) URL (" + WebhookConfig.URL_ENV + ")");
            } else if (config.requireHttps() && !"https".equalsIgnoreCase(u.getScheme())) {
                problems.add("gateway.webhook.url must use https (" + WebhookConfig.URL_ENV + ")");
            }
            if (secret.isEmpty()) {
                problems.add("gateway.webhook.secret is missing: a webhook URL is configured, so set "
                        + WebhookConfig.SECRET_ENV + " (the HMAC-SHA256 key shared with the receiver)");
            } else if (secret.get().length() < MIN_SECRET_LENGTH) {
                problems.add("gateway.webhook.secret is shorter than " + MIN_SECRET_LENGTH + " characters ("
                        + WebhookConfig.SECRET_ENV + ")");
            }
        }
        if (config.maxAttempts() < 1) {
            problems.add("gateway.webhook.max-attempts must be at least 1");
        }
        if (config.batchSize() < 1) {
            problems.add("gateway.webhook.batch-size must be at least 1");
        }
        if (config.backoffInitial().isNegative() || config.backoffInitial().isZero()
                || config.backoffMax().compareTo(config.backoffInitial()) < 0) {
            problems.add("gateway.webhook.backoff-initial must be positive and at most gateway.webhook.backoff-max");
        }
        if (config.connectTimeout().isNegative() || config.connectTimeout().isZero()
                || config.requestTimeout().isNegative() || config.requestTimeout().isZero()) {
            problems.add("gateway.webhook.connect-timeout and request-timeout must be positive");
        }
        return problems;
    }

    public URI url() {
        return url;
    }

    /** The {@code X-Gateway-Signature} value for this body sent at {@code unixSeconds}. */
    public String sign(long unixSeconds, byte[] body) {
        return WebhookSignature.header(secret, unixSeconds, body);
    }

    /** Where events go, for logs: scheme and host only. */
    public String target() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    @Override
    public String toString() {
        return "WebhookEndpoint[" + target() + ", secret=<hidden>]";
    }
}
