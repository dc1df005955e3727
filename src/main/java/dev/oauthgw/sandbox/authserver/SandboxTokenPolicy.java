package dev.oauthgw.sandbox.authserver;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.oauthgw.sandbox.SandboxConfig;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * How the authorization server issues tokens: lifetimes and the reuse interval from {@link SandboxConfig},
 * and the switches tests turn at runtime (a shorter token lifetime, another reuse interval, no rotation,
 * reporting the refresh token's expiry). Every switch holds until {@link #reset()}.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxTokenPolicy {

    @Inject
    SandboxConfig config;

    /** Runtime override of {@link SandboxConfig#reuseInterval()}; null: the configured value. */
    private volatile Duration reuseIntervalOverride;
    private volatile Duration tokenLifetimeOverride;
    private volatile boolean reportRefreshTokenExpiry;
    private volatile boolean rotateRefreshTokens = true;

    /** Replaces the configured reuse interval until {@link #reset()} (null: back to configuration). */
    public void overrideReuseInterval(Duration reuseInterval) {
        this.reuseIntervalOverride = reuseInterval;
    }

    /**
     * Replaces the configured access-token lifetime until {@link #reset()} (null: back to configuration),
     * so that tests can run refresh cycles of seconds without a test profile of their own.
     */
    public void overrideTokenLifetime(Duration lifetime) {
        this.tokenLifetimeOverride = lifetime;
    }

    /**
     * Switches refresh-token rotation off (an authorization server that keeps one refresh token per grant
     * and sends none on refresh) or back on. On until set, and after {@link #reset()}.
     */
    public void rotateRefreshTokens(boolean rotate) {
        this.rotateRefreshTokens = rotate;
    }

    /**
     * Also answer {@code refresh_token_expires_in} (when the family's absolute lifetime ends), as some
     * authorization servers do; Auth0, and so Pax8, do not. Off until set, and after {@link #reset()}.
     */
    public void reportRefreshTokenExpiry(boolean report) {
        this.reportRefreshTokenExpiry = report;
    }

    /** Every switch back to configuration. */
    public void reset() {
        reuseIntervalOverride = null;
        tokenLifetimeOverride = null;
        reportRefreshTokenExpiry = false;
        rotateRefreshTokens = true;
    }

    Duration tokenLifetime() {
        Duration d = tokenLifetimeOverride;
        return d != null ? d : config.tokenLifetime();
    }

    Duration reuseInterval() {
        Duration d = reuseIntervalOverride;
        return d != null ? d : config.reuseInterval();
    }

    Duration codeLifetime() {
        return config.codeLifetime();
    }

    Duration refreshTokenLifetime() {
        return config.refreshTokenLifetime();
    }

    boolean rotatesRefreshTokens() {
        return rotateRefreshTokens;
    }

    boolean reportsRefreshTokenExpiry() {
        return reportRefreshTokenExpiry;
    }
}
