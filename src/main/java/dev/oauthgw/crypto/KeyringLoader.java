package dev.oauthgw.crypto;

import org.jboss.logging.Logger;

/**
 * Turns {@link CryptoConfig} into a {@link Keyring}, failing closed: with no keyring configured the
 * gateway refuses to start, unless a throwaway key is allowed (dev and test profiles only).
 */
public final class KeyringLoader {

    private static final Logger LOG = Logger.getLogger(KeyringLoader.class);

    private KeyringLoader() {
    }

    /**
     * @param config the crypto configuration
     * @param prodProfile true in the prod profile, where a throwaway key is refused even if asked for
     * @throws KeyringException when no usable keyring is configured; the message names
     *         {@value CryptoConfig#KEYRING_ENV} and never contains key material
     */
    /**
     * What keeps {@link #load} from loading a keyring, if anything (for the start-up check): the message names the
     * setting and never contains key material. Generates no throwaway key.
     */
    public static java.util.Optional<String> problem(CryptoConfig config, boolean prodProfile) {
        try {
            if (config.keyring().filter(s -> !s.isBlank()).isPresent() || !config.generateThrowawayKey() || prodProfile) {
                load(config, prodProfile);
            }
            return java.util.Optional.empty();
        } catch (KeyringException e) {
            return java.util.Optional.of(e.getMessage());
        }
    }

    public static Keyring load(CryptoConfig config, boolean prodProfile) {
        Integer primary = config.primaryKeyId().orElse(null);
        String spec = config.keyring().filter(s -> !s.isBlank()).orElse(null);
        if (spec != null) {
            Keyring ring = Keyring.parse(spec, primary);
            LOG.infof("Token encryption: keyring with key ids %s, primary key id %d", ring.keyIds(),
                    ring.primaryKeyId());
            return ring;
        }
        if (!config.generateThrowawayKey()) {
            throw new KeyringException("No token encryption keyring is configured: set " + CryptoConfig.KEYRING_ENV
                    + " (gateway.crypto.keyring) to <id>:<base64 of 32 random bytes>, e.g. 1:$(openssl rand -base64 32),"
                    + " from the environment or a secret store. The gateway does not start without it.");
        }
        if (prodProfile) {
            throw new KeyringException("gateway.crypto.generate-throwaway-key is refused in the prod profile: set "
                    + CryptoConfig.KEYRING_ENV + " (gateway.crypto.keyring) to <id>:<base64 of 32 random bytes>");
        }
        Keyring ring = Keyring.generateThrowaway();
        if (primary != null && primary != ring.primaryKeyId()) {
            ring = ring.withPrimary(primary); // throws: the throwaway ring only has id 1
        }
        LOG.warnf("No %s set: generated a throwaway token encryption key (id %d). Tokens stored now cannot be"
                + " decrypted after a restart. Never run like this in production.", CryptoConfig.KEYRING_ENV,
                ring.primaryKeyId());
        return ring;
    }
}
