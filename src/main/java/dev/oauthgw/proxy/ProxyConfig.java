package dev.oauthgw.proxy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

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

    /** Connect deadline of a forwarded call (pooled or new TCP + TLS connection). */
    @WithDefault("PT5S")
    Duration connectTimeout();

    /** Headers deadline: from the start of the forwarded call to the provider's status line and headers (else 504). */
    @WithDefault("PT30S")
    Duration responseTimeout();

    /**
     * The longest silence of the provider between two pieces of the answer body while the caller is reading (time the
     * caller is slower than the provider does not count); past it the answer is cut off and the connection closed.
     */
    @WithDefault("PT30S")
    Duration idleTimeout();

    /** TOTAL deadline of a forwarded call, the streaming of its answer to the caller included (ADR 0019). */
    @WithDefault("PT5M")
    Duration totalTimeout();

    /** The most bytes of a provider answer that are forwarded; a longer answer is cut off (its connection closed). */
    @WithDefault("268435456")
    long maxAnswerSize();

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

    /** The first path segments of the gateway's own endpoints: a proxy there would hide them. */
    Set<String> RESERVED_PREFIXES = Set.of("admin", "caller", "j_security_check", "onboarding", "ops", "q", "sandbox",
            "tokens");

    /** One path segment of letters, digits, '.', '_' and '-' (no '/', no encoding, no "." or ".."). */
    Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /** What is wrong with these settings, by setting name (the start-up check lists them with the rest). */
    static List<String> problems(ProxyConfig config) {
        List<String> out = new java.util.ArrayList<>();
        prefixProblem(config.prefix()).ifPresent(out::add);
        dev.oauthgw.http.HttpBounds.problem(config.connectTimeout(), config.responseTimeout(), config.idleTimeout(),
                config.totalTimeout(), config.maxAnswerSize()).ifPresent(p -> out.add("gateway.proxy.connect-timeout, "
                        + "response-timeout, idle-timeout, total-timeout, max-answer-size: " + p));
        if (config.maxRequestBodyBytes() < 0) {
            out.add("gateway.proxy.max-request-body-bytes (GATEWAY_PROXY_MAX_REQUEST_BODY_BYTES) must not be negative");
        }
        return out;
    }

    /** Why this prefix cannot be the proxy's (slashes around it are allowed and ignored). */
    static java.util.Optional<String> prefixProblem(String configured) {
        String prefix = configured.replaceAll("^/+|/+$", "");
        if (!PREFIX.matcher(prefix).matches() || prefix.equals(".") || prefix.equals("..")) {
            return java.util.Optional.of("gateway.proxy.prefix (GATEWAY_PROXY_PREFIX) must be one path segment of "
                    + "letters, digits, '.', '_' or '-'");
        }
        if (RESERVED_PREFIXES.contains(prefix.toLowerCase(java.util.Locale.ROOT))) {
            return java.util.Optional.of("gateway.proxy.prefix (GATEWAY_PROXY_PREFIX) must not be one of the gateway's "
                    + "own paths " + RESERVED_PREFIXES.stream().sorted().toList());
        }
        return java.util.Optional.empty();
    }
}
