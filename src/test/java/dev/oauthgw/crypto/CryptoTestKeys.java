package dev.oauthgw.crypto;

import java.security.SecureRandom;
import java.util.Base64;

/** Random keys for tests, in the keyring's text form. */
final class CryptoTestKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private CryptoTestKeys() {
    }

    static byte[] randomKey() {
        byte[] key = new byte[Keyring.KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    static String base64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}
