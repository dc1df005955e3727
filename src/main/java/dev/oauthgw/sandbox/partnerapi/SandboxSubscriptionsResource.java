package dev.oauthgw.sandbox.partnerapi;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.oauthgw.sandbox.authserver.SandboxPartner;
import io.quarkus.arc.profile.IfBuildProfile;

/** A partner's subscriptions ({@code GET /sandbox/v1/subscriptions}): two per company, generated, with Pax8's paging. */
@Path("/sandbox/v1/subscriptions")
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxSubscriptionsResource {

    @Inject
    SandboxPartnerApi api;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response subscriptions(@Context HttpHeaders headers, @QueryParam("page") String page,
            @QueryParam("size") String size) {
        SandboxPartnerApi.Entry e = api.enter("/v1/subscriptions", headers);
        if (e.refused()) {
            return e.refusal();
        }
        SandboxPartner p = e.partner();
        return SandboxPartnerApi.page("/v1/subscriptions", page, size, p.companies() * 2, i -> SandboxCatalogResource.subscription(p, i));
    }

}
