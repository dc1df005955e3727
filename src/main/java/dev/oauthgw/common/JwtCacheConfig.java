package dev.oauthgw.common;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The cache of verified caller JWTs ({@link VerifiedJwtCache}, docs/adr/0018-verified-caller-jwt-cache.md). */
@ConfigMapping(prefix = "gateway.security.jwt-cache")
public interface JwtCacheConfig {

    /** The most verified JWTs kept (one per distinct token, a few kilobytes each); 0 switches the cache off. */
    @WithDefault("10000")
    int maxEntries();

    /**
     * The longest a verification is reused, whatever the token's {@code exp}: how long a token keeps passing after its
     * signing key was withdrawn (removed from the JWKS) or its issuer's settings changed.
     */
    @WithDefault("PT5M")
    Duration maxAge();
}
