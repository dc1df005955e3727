package dev.oauthgw.tokens;

import jakarta.ws.rs.core.Response;

/** Every answer that carries a token: never stored by a cache on the way (RFC 6749 §5.1). */
final class TokenResponses {

    private TokenResponses() {
    }

    static Response noStore(Object body) {
        return Response.ok(body).header("Cache-Control", "no-store").header("Pragma", "no-cache").build();
    }
}
