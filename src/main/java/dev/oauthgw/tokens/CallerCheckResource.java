package dev.oauthgw.tokens;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /caller}: answers 204 when the caller's JWT is valid and carries {@code tokens:read}, and
 * does nothing else. Lets a service check its credentials without reading a token, and is the
 * benchmark's baseline for what JWT verification alone costs.
 */
@Path("/caller")
public class CallerCheckResource {

    @GET
    @RolesAllowed(TokensResource.ROLE)
    public Response check() {
        return Response.noContent().build();
    }
}
