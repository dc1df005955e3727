package dev.oauthgw.onboarding;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Onboarding links and the authorization round trip. */
@ConfigMapping(prefix = "gateway.onboarding")
public interface OnboardingConfig {

    /**
     * The gateway's external base URL, as partner admins' browsers reach it (https in prod). Required: optional here
     * only so that the start-up check (dev.oauthgw.startup) can name it together with every other missing setting.
     */
    Optional<URI> publicUrl();

    /** How long a new onboarding link is valid unless the operator says otherwise. */
    @WithDefault("P7D")
    Duration linkValidity();

    /** The longest validity an operator may ask for. */
    @WithDefault("P30D")
    Duration maxLinkValidity();

    /** How long a partner admin has between Connect and coming back from the provider. */
    @WithDefault("PT10M")
    Duration authorizationTimeout();

    /** How often each replica purges expired authorizations ({@code 10m}; {@code off} disables the job). */
    @WithDefault("10m")
    String purgeEvery();

    /** How long an expired authorization (Connect clicked, never finished) is kept before the purge deletes it. */
    @WithDefault("PT1H")
    Duration pendingRetention();

    /** Rows deleted per transaction by the purge. */
    @WithDefault("500")
    int purgeBatchSize();

    /** HMAC-SHA256 key for link signatures, base64 of at least 32 bytes (GATEWAY_ONBOARDING_LINK_SIGNING_KEY). */
    Optional<String> linkSigningKey();

    /** dev and test only: make up a random signing key when none is configured. */
    @WithDefault("false")
    boolean generateThrowawaySigningKey();

    /** Send the browser-binding cookie with the Secure flag (off only for plain-http dev and tests). */
    @WithDefault("true")
    boolean secureCookie();
}
