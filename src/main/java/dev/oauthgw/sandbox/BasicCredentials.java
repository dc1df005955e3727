package dev.oauthgw.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Client id and secret from an {@code Authorization: Basic} header (RFC 6749 §2.3.1), as both sandbox token
 * endpoints accept them. {@link #toString()} never prints the secret.
 */
public record BasicCredentials(String clientId, String clientSecret) {

    /**
     * The credentials of an {@code Authorization} header, or null when it is absent or not Basic.
     *
     * @throws OAuthError invalid_client (with a Basic challenge) when a Basic header is malformed
     */
    public static BasicCredentials parse(String authorization) {
        if (authorization == null) {
            return null;
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Basic")) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(parts[1].trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidClient("Malformed Basic credentials", true);
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw OAuthError.invalidClient("Malformed Basic credentials", true);
        }
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded
        try {
            return new BasicCredentials(URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidClient("Malformed Basic credentials", true);
        }
    }

    @Override
    public String toString() {
        return "BasicCredentials[clientId=" + clientId + ", clientSecret=<hidden>]";
    }
}
