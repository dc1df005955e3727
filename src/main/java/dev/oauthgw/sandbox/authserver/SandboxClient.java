package dev.oauthgw.sandbox.authserver;

import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.oauthgw.sandbox.SandboxTokens;

/** A registered client of the sandbox. {@link #toString()} never prints the secret. */
public record SandboxClient(String clientId, String clientSecret, List<String> redirectUris,
        AuthMethod authMethod, Set<String> grantTypes, String displayName) {

    /** How the client authenticates at the token and revocation endpoints. */
    public enum AuthMethod {
        ANY, CLIENT_SECRET_POST, CLIENT_SECRET_BASIC;

        static AuthMethod parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sandbox client: token-endpoint-auth-method must be any, "
                        + "client_secret_post or client_secret_basic, not '" + value + "'");
            }
        }

        boolean allows(AuthMethod used) {
            return this == ANY || this == used;
        }
    }

    public SandboxClient {
        redirectUris = List.copyOf(redirectUris);
        grantTypes = Set.copyOf(grantTypes);
    }

    public boolean allowsGrantType(String grantType) {
        return grantTypes.contains(grantType);
    }

    /** Exact string comparison, as RFC 6749 §3.1.2 and OAuth 2.1 ask for. */
    public boolean hasRedirectUri(String redirectUri) {
        return redirectUri != null && redirectUris.contains(redirectUri);
    }

    /** Constant-time secret check. */
    public boolean secretMatches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(SandboxTokens.sha256(clientSecret), SandboxTokens.sha256(presented));
    }

    @Override
    public String toString() {
        return "SandboxClient[clientId=" + clientId + ", authMethod=" + authMethod + ", redirectUris="
                + redirectUris + ", grantTypes=" + grantTypes + ", displayName=" + displayName + ", clientSecret=<hidden>]";
    }
}
