package dev.oauthgw.events;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Webhooks for grant state changes ({@code gateway.webhook.*}). Without a URL no webhook is sent (events
 * are still recorded and go out once a URL is configured). The secret is a secret: it comes from the
 * environment ({@code GATEWAY_WEBHOOK_SECRET}) or a secret store. Like {@code CryptoConfig}, this
 * interface declares no {@code toString()}, so the generated implementation does not print the secret.
 * Checked at start by {@link WebhookEndpoint#from(WebhookConfig)}.
 */
@ConfigMapping(prefix = "gateway.webhook")
public interface WebhookConfig {

    String URL_ENV = "GATEWAY_WEBHOOK_URL";
    String SECRET_ENV = "GATEWAY_WEBHOOK_SECRET";

    /** Where events are POSTed (https where {@link #requireHttps()}). Environment variable {@code GATEWAY_WEBHOOK_URL}. */
    Optional<URI> url();

    /**
     * The HMAC-SHA256 key shared with the receiver, at least 16 characters (used as its UTF-8 bytes).
     * Required with a URL. Environment variable {@code GATEWAY_WEBHOOK_SECRET}.
     */
    Optional<String> secret();

    /** A non-https URL stops the application from starting (true by default; false in dev and test). */
    @WithDefault("true")
    boolean requireHttps();

    /** How often each replica looks for due events ({@code 5s}, {@code 1m}; {@code off} disables the job). */
    @WithDefault("5s")
    String pollEvery();

    /** Connect deadline of a delivery (pooled or new TCP + TLS connection). */
    @WithDefault("PT5S")
    Duration connectTimeout();

    /**
     * TOTAL deadline of a delivery: the receiver's whole answer within this time, else the connection is closed and
     * the attempt failed (retried with backoff; ADR 0019).
     */
    @WithDefault("PT10S")
    Duration requestTimeout();

    /** Deadline for the receiver's status line and headers, counted from the start of the delivery. */
    @WithDefault("PT10S")
    Duration headersTimeout();

    /** The longest silence between two pieces of the receiver's answer body. */
    @WithDefault("PT5S")
    Duration idleTimeout();

    /** The most bytes of the receiver's answer body that are read (it is not used); more fails the attempt. */
    @WithDefault("16384")
    long maxAnswerSize();

    /** Attempts before an event is declared dead. */
    @WithDefault("12")
    int maxAttempts();

    /** Delay after the first failed attempt; doubles with every failure (with jitter). */
    @WithDefault("PT10S")
    Duration backoffInitial();

    /** Longest delay between two attempts; a receiver's Retry-After is honoured up to this. */
    @WithDefault("PT1H")
    Duration backoffMax();

    /** Events one replica sends per poll at most. */
    @WithDefault("50")
    int batchSize();

    /** Delivered events are deleted after this time. Dead events are kept. */
    @WithDefault("P30D")
    Duration retention();
}
