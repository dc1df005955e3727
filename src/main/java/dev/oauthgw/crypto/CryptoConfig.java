package dev.oauthgw.crypto;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Configuration of token encryption at rest.
 * <p>
 * The keyring is a secret: it comes from the environment ({@code GATEWAY_CRYPTO_KEYRING}) or a secret
 * store, never from application.properties. This interface deliberately declares no {@code toString()}:
 * SmallRye Config generates a {@code toString()} that prints every property only when the mapping
 * declares one, so the generated implementation keeps {@link Object#toString()}. Nothing in this
 * package logs the mapping or the keyring string.
 */
@ConfigMapping(prefix = "gateway.crypto")
public interface CryptoConfig {

    /** Name of the environment variable that carries the keyring, as shown in error messages. */
    String KEYRING_ENV = "GATEWAY_CRYPTO_KEYRING";
    /** Name of the environment variable that picks the primary key. */
    String PRIMARY_KEY_ID_ENV = "GATEWAY_CRYPTO_PRIMARY_KEY_ID";

    /**
     * The keyring: {@code <id>:<base64 of 32 bytes>[,<id>:<base64 of 32 bytes>...]}, ids positive
     * integers, e.g. {@code 1:...,2:...}. Environment variable {@code GATEWAY_CRYPTO_KEYRING}.
     */
    Optional<String> keyring();

    /**
     * The key that seals new values (the others only open old ones). Default: the highest id in the
     * ring. Environment variable {@code GATEWAY_CRYPTO_PRIMARY_KEY_ID}.
     */
    Optional<Integer> primaryKeyId();

    /**
     * When no keyring is configured, generate one random key (id 1) at startup instead of refusing to
     * start. For dev and test only: tokens sealed under it cannot be opened after a restart. Refused in
     * the prod profile.
     */
    @WithDefault("false")
    boolean generateThrowawayKey();
}
