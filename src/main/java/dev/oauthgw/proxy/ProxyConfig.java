package dev.oauthgw.proxy;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The Pax8 API proxy ({@code gateway.proxy.*}). Per registration settings (base URL, methods, budget) live with the
 * registration: {@code gateway.provider.registrations.<name>.api.*}.
 */
@ConfigMapping(prefix = "gateway.proxy")
public interface ProxyConfig {

    /** The first path segment of proxied calls: {@code /<prefix>/{partnerId}/{path...}}. */
    @WithDefault("proxy")
    String prefix();

    /** The largest request body forwarded (bigger: 413); bodies are buffered so that a 401 can be retried. */
    @WithDefault("1048576")
    int maxRequestBodyBytes();

    @WithDefault("PT5S")
    Duration connectTimeout();

    /** From sending the request to the provider's response headers (the body then streams without a bound). */
    @WithDefault("PT30S")
    Duration responseTimeout();

    /** The budget's window (Pax8 counts per minute). */
    @WithDefault("PT1M")
    Duration budgetWindow();

    /** How many requests a replica leases at once from the window's budget (fewer when fewer are left). */
    @WithDefault("20")
    int budgetSlice();

    /**
     * How long a request may wait for the next window (or the end of a provider's Retry-After) when the budget is
     * spent; zero: answer 429 with Retry-After at once.
     */
    @WithDefault("PT0S")
    Duration budgetWait();

    /** How often a replica reads the shared "blocked until" (the provider's 429) besides when it leases. */
    @WithDefault("PT1S")
    Duration blockCheckEvery();

    /** Used when the provider answers 429 without a usable Retry-After. */
    @WithDefault("PT30S")
    Duration defaultRetryAfter();

    /** The longest Retry-After of the provider that is honoured (and shared) as given. */
    @WithDefault("PT1H")
    Duration maxRetryAfter();

    /** How often the aggregated proxy access records are written. */
    @WithDefault("PT5S")
    Duration auditFlushEvery();
}
