package dev.oauthgw.ops.admin;

import dev.oauthgw.common.Caller;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;


import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.oauthgw.common.GatewayException;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.grant.GrantService.GrantStatus;
import dev.oauthgw.onboarding.OnboardingLinkService;
import dev.oauthgw.onboarding.OnboardingLinkService.IssuedLink;
import dev.oauthgw.partner.PartnerService;
import dev.oauthgw.partner.PartnerService.PartnerView;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

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

/**
 * Admin API for operators (role {@code ops}): partners, onboarding and re-authorization links, grant status,
 * and the actions on a grant (force a refresh, disconnect). Never a token.
 */
@Path("/admin/partners")
@Tag(name = "Admin: partners and grants")
@SecurityRequirement(name = "jwt")
@RolesAllowed("ops")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AdminPartnerResource {

    private final PartnerService partners;
    private final OnboardingLinkService links;
    private final GrantService grants;
    private final GrantActionService actions;
    private final Caller caller;

    public AdminPartnerResource(PartnerService partners, OnboardingLinkService links, GrantService grants,
            GrantActionService actions, Caller caller) {
        this.partners = partners;
        this.links = links;
        this.grants = grants;
        this.actions = actions;
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
    @Operation(summary = "Create a partner")
    @APIResponse(responseCode = "201", description = "Created")
    public Response create(@NotNull @Valid NewPartner body) {
        PartnerView v = partners.create(body.id(), body.displayName(), body.providerAccountId(), actor());
        return Response.created(URI.create("/admin/partners/" + v.id())).entity(PartnerJson.of(v)).build();
    }

    @GET
    @Operation(summary = "List partners, newest first")
    public PartnerPage list(@QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(200) int size) {
        return new PartnerPage(partners.list(page, size).stream().map(PartnerJson::of).toList(), page, size,
                partners.count());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a partner")
    public PartnerJson get(@PathParam("id") String id) {
        return PartnerJson.of(partners.get(id));
    }

    @POST
    @Path("/{id}/onboarding-links")
    @Operation(summary = "Create an onboarding link", description = "A signed, expiring, single-use link for the "
            + "partner's admin. For a partner that already has a grant the link's purpose is REAUTH.")
    @APIResponse(responseCode = "201", description = "The link")
    public Response createLink(@PathParam("id") String id, NewLink body) {
        IssuedLink link = links.issue(id, validFor(body), actor());
        return Response.status(201).entity(new LinkJson(link.linkId().toString(), id, link.url(), link.expiresAt()))
                .build();
    }

    @GET
    @Path("/{id}/grant")
    @Operation(summary = "Read a partner's grant status", description = "State, expiries, last refresh; never a token.")
    public GrantStatus grant(@PathParam("id") String id) {
        partners.get(id);
        return grants.status(id)
                .orElseThrow(() -> GatewayException.notFound("Partner '" + id + "' has no grant yet."));
    }

    @POST
    @Path("/{id}/grant/refresh")
    @Consumes(MediaType.WILDCARD) // no body
    @Operation(summary = "Force a refresh of a partner's grant", description = "Refreshes now, whatever the "
            + "expiry, single flight with the scheduler and the inline path. 200 with the outcome (a provider "
            + "failure is an outcome, recorded on the grant); 409 when the grant has no usable refresh token "
            + "(REAUTH_REQUIRED, REVOKED) or another refresh holds it too long. Audited as GRANT_REFRESH_FORCED.")
    @APIResponse(responseCode = "200", description = "The refresh's outcome")
    @APIResponse(responseCode = "409", description = "Not refreshable, or busy")
    public GrantActionService.RefreshResult forceRefresh(@PathParam("id") String id) {
        return actions.forceRefresh(id, actor());
    }

    @POST
    @Path("/{id}/reauthorization-links")
    @Operation(summary = "Create a re-authorization link", description = "For a partner that has a grant: "
            + "completing the link replaces the grant's tokens and makes it ACTIVE. 404 when the partner has no "
            + "grant (use onboarding-links).")
    @APIResponse(responseCode = "201", description = "The link")
    public Response createReauthorizationLink(@PathParam("id") String id, NewLink body) {
        return Response.status(201).entity(actions.reauthorizationLink(id, validFor(body), actor())).build();
    }

    @POST
    @Path("/{id}/grant/disconnect")
    @Consumes(MediaType.WILDCARD) // no body
    @Operation(summary = "Disconnect a partner", description = "Under the grant's row lock: revokes the refresh "
            + "and access tokens at the provider's revocation endpoint where the registration has one (RFC 7009), "
            + "deletes both tokens and marks the grant REVOKED. A failed revocation is reported (revocation=failed) "
            + "and does not stop the disconnect. Idempotent. Audited as GRANT_DISCONNECTED.")
    public GrantActionService.DisconnectResult disconnect(@PathParam("id") String id) {
        return actions.disconnect(id, actor());
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AccountDecision(@Size(max = 255) String providerAccountId) {
    }

    @GET
    @Path("/{id}/onboarding-links")
    @Operation(summary = "List a partner's outstanding links", description = "Onboarding and re-authorization "
            + "links that are neither used, revoked nor expired, newest first. Never a link's URL (its signature "
            + "is not stored).")
    @APIResponse(responseCode = "200", description = "The outstanding links")
    @APIResponse(responseCode = "404", description = "No such partner")
    public List<OnboardingLinkService.LinkView> outstandingLinks(@PathParam("id") String id) {
        return links.outstanding(id);
    }

    @POST
    @Path("/{id}/onboarding-links/{linkId}/revoke")
    @Consumes(MediaType.WILDCARD) // no body
    @Operation(summary = "Revoke an onboarding link", description = "The link is refused from now on (the partner's "
            + "admin sees a 'link withdrawn' page; a Connect already under way cannot finish). 400 for a malformed "
            + "link id, 404 for a link this partner does not have, 409 when it is used, revoked or expired "
            + "already. Audited as LINK_REVOKED.")
    @APIResponse(responseCode = "200", description = "The revoked link")
    @APIResponse(responseCode = "409", description = "Not outstanding")
    public OnboardingLinkService.LinkView revokeLink(@PathParam("id") String id, @PathParam("linkId") String linkId) {
        return links.revoke(id, uuid(linkId, "link id"), actor());
    }

    @POST
    @Path("/{id}/grant/confirm")
    @Operation(summary = "Confirm a PENDING grant's provider account", description = "Binding confirm-first: "
            + "binds the partner to the Pax8 account of its first consent and makes the grant ACTIVE (GET /tokens "
            + "answers 409 until then). With provider_account_id, holds only if the grant still has that account. "
            + "409 when the grant is not PENDING or the account is bound elsewhere. Audited as GRANT_CONFIRMED.")
    @APIResponse(responseCode = "200", description = "Confirmed")
    @APIResponse(responseCode = "409", description = "Not pending, or account conflict")
    public GrantActionService.ConfirmResult confirm(@PathParam("id") String id, @Valid AccountDecision body) {
        return actions.confirm(id, body == null ? null : body.providerAccountId(), actor());
    }

    @POST
    @Path("/{id}/grant/reject")
    @Operation(summary = "Reject a PENDING grant's provider account", description = "Like a disconnect: revokes "
            + "the tokens at the provider where it can, deletes them and marks the grant REVOKED; the partner stays "
            + "unbound. With provider_account_id, holds only if the grant still has that account. 409 when the "
            + "grant is not PENDING. Audited as GRANT_REJECTED.")
    @APIResponse(responseCode = "200", description = "Rejected")
    @APIResponse(responseCode = "409", description = "Not pending, or account conflict")
    public GrantActionService.RejectResult reject(@PathParam("id") String id, @Valid AccountDecision body) {
        return actions.reject(id, body == null ? null : body.providerAccountId(), actor());
    }

    private static java.util.UUID uuid(String value, String what) {
        try {
            return java.util.UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest(what + " must be a UUID.");
        }
    }

    private static Duration validFor(NewLink body) {
        if (body == null || body.validFor() == null) {
            return null;
        }
        try {
            return Duration.parse(body.validFor());
        } catch (RuntimeException e) {
            throw GatewayException.badRequest("valid_for must be an ISO-8601 duration such as P7D or PT12H.");
        }
    }

    private String actor() {
        return caller.name();
    }
}
