package dev.oauthgw.sandbox.authserver;

import java.time.Instant;

/** The answer of a successful token request. {@link #toString()} hides the tokens. */
record IssuedTokens(String accessToken, String refreshToken, long expiresIn, Instant expiresAt, String scope,
        Long refreshTokenExpiresIn) {

    @Override
    public String toString() {
        return "IssuedTokens[accessToken=<hidden>, refreshToken=" + (refreshToken == null ? "none" : "<hidden>")
                + ", expiresIn=" + expiresIn + ", expiresAt=" + expiresAt + ", scope=" + scope + "]";
    }
}
