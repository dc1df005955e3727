package dev.oauthgw.ops;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.oauthgw.common.GatewayException;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.grant.GrantService.GrantStatus;
import dev.oauthgw.onboarding.OnboardingLinkService;
import dev.oauthgw.onboarding.OnboardingLinkService.IssuedLink;
import dev.oauthgw.partner.PartnerService;
import dev.oauthgw.partner.PartnerService.PartnerView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Admin API for operators (role {@code ops}): partners, onboarding links, grant status. Never a token. */
@Path("/admin/partners")
@RolesAllowed("ops")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AdminPartnerResource {

    private final PartnerService partners;
    private final OnboardingLinkService links;
    private final GrantService grants;
    private final JsonWebToken caller;

    public AdminPartnerResource(PartnerService partners, OnboardingLinkService links, GrantService grants,
            JsonWebToken caller) {
        this.partners = partners;
        this.links = links;
        this.grants = grants;
        this.caller = caller;
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record NewPartner(
            @NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}", message = "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit") String id,
            @NotBlank @Size(max = 200) String displayName,
            @Size(max = 255) String providerAccountId) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PartnerJson(String id, String displayName, String providerAccountId, Instant createdAt) {
        static PartnerJson of(PartnerView v) {
            return new PartnerJson(v.id(), v.displayName(), v.providerAccountId(), v.createdAt());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PartnerPage(List<PartnerJson> content, int page, int size, long total) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record NewLink(String validFor) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LinkJson(String linkId, String partnerId, String url, Instant expiresAt) {
    }

    @POST
    public Response create(@NotNull @Valid NewPartner body) {
        PartnerView v = partners.create(body.id(), body.displayName(), body.providerAccountId(), actor());
        return Response.created(URI.create("/admin/partners/" + v.id())).entity(PartnerJson.of(v)).build();
    }

    @GET
    public PartnerPage list(@QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(200) int size) {
        return new PartnerPage(partners.list(page, size).stream().map(PartnerJson::of).toList(), page, size,
                partners.count());
    }

    @GET
    @Path("/{id}")
    public PartnerJson get(@PathParam("id") String id) {
        return PartnerJson.of(partners.get(id));
    }

    @POST
    @Path("/{id}/onboarding-links")
    public Response createLink(@PathParam("id") String id, NewLink body) {
        Duration validFor = null;
        if (body != null && body.validFor() != null) {
            try {
                validFor = Duration.parse(body.validFor());
            } catch (RuntimeException e) {
                throw GatewayException.badRequest("valid_for must be an ISO-8601 duration such as P7D or PT12H.");
            }
        }
        IssuedLink link = links.issue(id, validFor, actor());
        return Response.status(201).entity(new LinkJson(link.linkId().toString(), id, link.url(), link.expiresAt()))
                .build();
    }

    @GET
    @Path("/{id}/grant")
    public GrantStatus grant(@PathParam("id") String id) {
        partners.get(id);
        return grants.status(id)
                .orElseThrow(() -> GatewayException.notFound("Partner '" + id + "' has no grant yet."));
    }

    private String actor() {
        return caller.getName() == null ? caller.getSubject() : caller.getName();
    }
}
