package dev.oauthgw.ops;

import java.net.URI;
import java.util.List;

import dev.oauthgw.ops.GrantQueryService.Counts;
import dev.oauthgw.ops.GrantQueryService.Filter;
import dev.oauthgw.ops.GrantQueryService.GrantRow;
import dev.oauthgw.ops.GrantQueryService.Query;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

/** The dashboard's overview: counts by state, the next expiries, recent failures; and signing out. */
@Path("/ops")
@RolesAllowed("ops")
@Produces(MediaType.TEXT_HTML)
public class OpsOverviewResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance overview(OpsPage page, Counts counts, List<GrantRow> nextExpiries,
                List<GrantRow> failures, GlobalIncidents.Incident incident, String soonWithin);
    }

    private final GrantQueryService query;
    private final OpsCsrf csrf;
    private final SecurityIdentity identity;
    private final Instance<GlobalIncidents> incidents;

    public OpsOverviewResource(GrantQueryService query, OpsCsrf csrf, SecurityIdentity identity,
            Instance<GlobalIncidents> incidents) {
        this.query = query;
        this.csrf = csrf;
        this.identity = identity;
        this.incidents = incidents;
    }

    @GET
    public Response overview(@CookieParam(OpsCsrf.COOKIE) String csrfCookie) {
        String token = csrf.tokenFor(csrfCookie);
        List<GrantRow> next = query.list(new Query(Filter.EXPIRING, java.time.Duration.ofDays(3650), null, null, 10))
                .content();
        GlobalIncidents.Incident incident = incidents.isResolvable() ? incidents.get().current().orElse(null) : null;
        TemplateInstance t = Templates.overview(new OpsPage(identity.getPrincipal().getName(), token, "overview", null,
                false), query.counts(), next, query.recentFailures(10), incident,
                OpsFormat.dur(query.expiringSoonWithin()));
        return OpsGrantsResource.page(t, csrf, csrfCookie, token);
    }

    /** Signs out: forgets the session cookie (the form-authentication cookie carries the whole session). */
    @POST
    @Path("/logout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response logout(@CookieParam(OpsCsrf.COOKIE) String csrfCookie, @FormParam(OpsCsrf.FIELD) String field) {
        csrf.verify(csrfCookie, field);
        return Response.seeOther(URI.create("/ops/login?logout=true"))
                .cookie(new NewCookie.Builder(OpsSignIn.SESSION_COOKIE).value("").path("/").maxAge(0).build())
                .build();
    }

    @org.jboss.resteasy.reactive.server.ServerExceptionMapper
    public Response csrfRejected(OpsCsrf.Rejected e) {
        return OpsGrantsResource.errorPage(403, "Form expired",
                "This form could not be checked (it is old, or came from another site). Go back, reload the page and try again.");
    }
}
