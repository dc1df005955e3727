package dev.oauthgw.tokens;

import java.time.Duration;

/** Fired (CDI, synchronously) when {@code GET /tokens} hands a partner's access token out; never the token itself. */
public record TokenServed(Duration remaining) {
}
