package dev.oauthgw.tokens;

import dev.oauthgw.common.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;


import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.oauthgw.audit.RequestIds;
import dev.oauthgw.common.GatewayException;
import dev.oauthgw.tokens.TokenService.Served;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.event.Event;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /tokens/{partnerId}}: a partner's access token for the vendor's internal services
 * (role {@code tokens:read}; the JWT's {@code partners} claim names the partners, {@code *} for all, see
 * {@link PartnersClaim}). The vendor's own tokens ({@link VendorTokensResource}) are not partner tokens: the
 * claim does not apply to them.
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
    private final TokensConfig config;

    public TokensResource(TokenService tokens, Caller caller, Event<TokenServed> served, Clock clock,
            TokensConfig config) {
        this.tokens = tokens;
        this.config = config;
        this.caller = caller;
        this.served = served;
        this.clock = clock;
    }

    /**
     * Runs on the event loop: a cache hit that needs no refresh is answered there, without blocking (no database,
     * no worker thread); anything else (a miss, a refresh, the cache not serving) runs on a worker thread, on this
     * request's context (its request id and request scope go along).
     */
    @GET
    @Path("/{partnerId}")
    @RolesAllowed(ROLE)
    @NonBlocking
    public Uni<Response> partnerToken(@PathParam("partnerId") String partnerId, @QueryParam("min_valid") String minValid) {
        switch (PartnersClaim.check(caller.claim(PartnersClaim.NAME), partnerId, config.requirePartnersClaim())) {
            case ALLOWED -> {
            }
            case MISSING -> throw new GatewayException(403, "partners-claim-missing", "Forbidden",
                    "This caller's JWT has no 'partners' claim. The issuer must name the partners the caller may read "
                            + "(a list of partner ids), or '*' for all partners.");
            case NOT_LISTED -> throw GatewayException.forbidden(
                    "This caller may not read tokens of partner '" + partnerId + "' (not in its 'partners' claim).");
        }
        Optional<Duration> asked = parse(minValid);
        String name = caller.name();
        String requestId = RequestIds.current();
        Optional<Served> hit = tokens.cached(partnerId, asked, name, requestId);
        if (hit.isPresent()) {
            return Uni.createFrom().item(answer(partnerId, hit.get()));
        }
        return VertxContextSupport.executeBlocking(
                () -> answer(partnerId, tokens.tokenFor(partnerId, asked, name, requestId)));
    }

    private Response answer(String partnerId, Served s) {
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
