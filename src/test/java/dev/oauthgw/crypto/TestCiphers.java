package dev.oauthgw.crypto;

/** A cipher over a given keyring, for tests that seal or open what a separately started gateway stores. */
public final class TestCiphers {

    private TestCiphers() {
    }

    /** {@code spec} as in GATEWAY_CRYPTO_KEYRING: {@code <id>:<base64 of 32 bytes>[,...]}. */
    public static TokenCipher forKeyring(String spec) {
        return TokenCipher.forKeyring(Keyring.parse(spec, null));
    }
}
