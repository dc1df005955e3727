package dev.oauthgw.crypto;

/**
 * The keyring configuration is missing or invalid. The message names the problem and the position of
 * the faulty entry, never any key material.
 */
public class KeyringException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public KeyringException(String message) {
        super(message);
    }
}
