package dev.oauthgw.tokens;

import dev.oauthgw.common.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Optional;


import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.oauthgw.common.GatewayException;
import dev.oauthgw.tokens.TokenService.Served;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.event.Event;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /tokens/{partnerId}}: a partner's access token for the vendor's internal services
 * (role {@code tokens:read}; a {@code partners} claim, where present, limits which partners).
 */
@Path("/tokens")
@Produces(MediaType.APPLICATION_JSON)
public class TokensResource {

    public static final String ROLE = "tokens:read";
    /** Set when the default minimum validity was lowered to what the provider's tokens can give. */
    public static final String MIN_VALID_HEADER = "Gateway-Min-Valid-Applied";

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TokenJson(String partnerId, String accessToken, String tokenType, Instant expiresAt, long expiresIn,
            String scope) {
        @Override
        public String toString() {
            return "TokenJson[" + partnerId + ", expiresAt=" + expiresAt + "]";
        }
    }

    private final TokenService tokens;
    private final Caller caller;
    private final Event<TokenServed> served;
    private final Clock clock;

    public TokensResource(TokenService tokens, Caller caller, Event<TokenServed> served, Clock clock) {
        this.tokens = tokens;
        this.caller = caller;
        this.served = served;
        this.clock = clock;
    }

    @GET
    @Path("/{partnerId}")
    @RolesAllowed(ROLE)
    public Response partnerToken(@PathParam("partnerId") String partnerId, @QueryParam("min_valid") String minValid) {
        if (!allowed(partnerId)) {
            throw GatewayException.forbidden("This caller may not read tokens of partner '" + partnerId + "'.");
        }
        Served s = tokens.tokenFor(partnerId, parse(minValid), caller.name());
        long expiresIn = Math.max(0, Duration.between(clock.instant(), s.expiresAt()).toSeconds());
        served.fire(new TokenServed(Duration.ofSeconds(expiresIn)));
        Response r = TokenResponses.noStore(new TokenJson(partnerId, s.accessToken(), "Bearer", s.expiresAt(), expiresIn,
                s.scope()));
        if (s.minValidReducedTo() != null) {
            // the provider's tokens live less than the default minimum: the freshest one, and the minimum applied
            r.getHeaders().putSingle(MIN_VALID_HEADER, s.minValidReducedTo().toString());
        }
        return r;
    }

    /** Where the caller's JWT has a {@code partners} claim, only those partners. */
    private boolean allowed(String partnerId) {
        Object claim = caller.claim("partners");
        if (claim == null) {
            return true;
        }
        if (claim instanceof JsonArray array) {
            return array.stream().anyMatch(v -> v.getValueType() == JsonValue.ValueType.STRING
                    && ((JsonString) v).getString().equals(partnerId));
        }
        if (claim instanceof Collection<?> c) {
            return c.stream().anyMatch(v -> partnerId.equals(String.valueOf(v).replace("\"", "")));
        }
        String s = claim instanceof JsonString js ? js.getString() : String.valueOf(claim);
        for (String p : s.split("[\\s,]+")) {
            if (p.equals(partnerId)) {
                return true;
            }
        }
        return false;
    }

    static Optional<Duration> parse(String minValid) {
        if (minValid == null || minValid.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.parse(minValid));
        } catch (DateTimeParseException e) {
            throw GatewayException.badRequest("min_valid must be an ISO-8601 duration such as PT10M.");
        }
    }
}
