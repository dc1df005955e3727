package dev.oauthgw.provider;

import java.time.Instant;
import java.util.Optional;

/**
 * What a provider's token endpoint answered, normalised. {@link #toString()} never prints a token.
 *
 * @param expiresAt when the access token expires: the earlier of {@code expires_at} and
 *        request time + {@code expires_in}
 * @param refreshToken absent when the provider did not send one (keep the old one)
 * @param refreshExpiresAt when the refresh token itself expires, where the provider says so
 */
public record TokenResponse(String accessToken, Optional<String> refreshToken, String tokenType, Instant expiresAt,
        String scope, Optional<Instant> refreshExpiresAt) {

    /** The longest scope a grant keeps ({@code partner_grant.scope} is {@code varchar(1024)}). */
    public static final int MAX_SCOPE_LENGTH = 1024;

    @Override
    public String toString() {
        return "TokenResponse[tokenType=" + tokenType + ", expiresAt=" + expiresAt + ", scope=" + scope
                + ", refreshToken=" + (refreshToken.isPresent() ? "present" : "absent") + "]";
    }
}
