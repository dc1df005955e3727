package dev.oauthgw.tokens;

import dev.oauthgw.common.Caller;
import java.time.Clock;
import java.time.Duration;


import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.oauthgw.tokens.TokenService.Served;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code GET /tokens/vendor/{name}}: the vendor's own client-credentials token (role {@code vendor-tokens:read}). */
@Path("/tokens/vendor")
@Produces(MediaType.APPLICATION_JSON)
public class VendorTokensResource {

    public static final String ROLE = "vendor-tokens:read";

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VendorTokenJson(String name, String accessToken, String tokenType, java.time.Instant expiresAt,
            long expiresIn, String scope) {
        @Override
        public String toString() {
            return "VendorTokenJson[" + name + ", expiresAt=" + expiresAt + "]";
        }
    }

    private final VendorTokenService vendor;
    private final TokenService tokens;
    private final Caller caller;
    private final Clock clock;

    public VendorTokensResource(VendorTokenService vendor, TokenService tokens, Caller caller, Clock clock) {
        this.vendor = vendor;
        this.tokens = tokens;
        this.caller = caller;
        this.clock = clock;
    }

    @GET
    @Path("/{name}")
    @RolesAllowed(ROLE)
    public Response vendorToken(@PathParam("name") String name, @QueryParam("min_valid") String minValid) {
        Duration min = tokens.minValidity(TokensResource.parse(minValid));
        Served s = vendor.tokenFor(name, min, caller.name());
        long expiresIn = Math.max(0, Duration.between(clock.instant(), s.expiresAt()).toSeconds());
        return TokenResponses.noStore(new VendorTokenJson(name, s.accessToken(), "Bearer", s.expiresAt(), expiresIn,
                s.scope()));
    }
}
