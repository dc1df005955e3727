package dev.oauthgw.ops.dashboard;

import dev.oauthgw.ops.admin.ChartQueryService;
import dev.oauthgw.ops.admin.GrantQueryService;
import dev.oauthgw.refresh.ProviderIncidents;
import dev.oauthgw.ops.signin.OpsSessions;
import dev.oauthgw.ops.signin.OpsSignIn;
import dev.oauthgw.ops.signin.OpsOperator;
import java.net.URI;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.oauthgw.ops.admin.GrantQueryService.Counts;
import dev.oauthgw.ops.admin.GrantQueryService.Filter;
import dev.oauthgw.ops.admin.GrantQueryService.GrantRow;
import dev.oauthgw.ops.admin.GrantQueryService.Query;
import io.quarkus.oidc.OidcConfigurationMetadata;
import io.quarkus.oidc.OidcSession;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

/**
 * The dashboard's overview: counts by state, charts of the coming access-token expiries and of the last day's refresh
 * outcomes (inline SVG, no script), the next expiries, recent failures; and signing out.
 */
@CsrfChecked
@Path("/ops")
@RolesAllowed("ops")
@Produces(MediaType.TEXT_HTML)
public class OpsOverviewResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance overview(OpsPage page, Counts counts, List<GrantRow> nextExpiries,
                List<GrantRow> failures, ProviderIncidents.Incident incident, String soonWithin,
                SvgBarChart.Chart expiryChart, SvgBarChart.Chart outcomeChart);
    }

    private final GrantQueryService query;
    private final ChartQueryService charts;
    private final OpsCsrf csrf;
    private final SecurityIdentity identity;
    private final ProviderIncidents incidents;
    private final OpsSignIn signIn;
    private final Instance<OidcSession> oidcSession;
    private final Instance<OidcConfigurationMetadata> oidcMetadata;
    private final String publicUrl;
    private final OpsSessions sessions;

    public OpsOverviewResource(GrantQueryService query, ChartQueryService charts, OpsCsrf csrf, SecurityIdentity identity,
            ProviderIncidents incidents, OpsSignIn signIn, Instance<OidcSession> oidcSession,
            Instance<OidcConfigurationMetadata> oidcMetadata,
            @ConfigProperty(name = "gateway.onboarding.public-url") java.util.Optional<String> configuredPublicUrl,
            OpsSessions sessions) {
        this.sessions = sessions;
        this.query = query;
        this.charts = charts;
        this.csrf = csrf;
        this.identity = identity;
        this.incidents = incidents;
        this.signIn = signIn;
        this.oidcSession = oidcSession;
        this.oidcMetadata = oidcMetadata;
        String publicUrl = configuredPublicUrl.orElse("");
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    @GET
    public Response overview(@CookieParam(OpsCsrf.COOKIE) String csrfCookie) {
        String token = csrf.tokenFor(csrfCookie);
        List<GrantRow> next = query.list(new Query(Filter.EXPIRING, java.time.Duration.ofDays(3650), null, null, 10))
                .content();
        ProviderIncidents.Incident incident = incidents.current().orElse(null);
        TemplateInstance t = Templates.overview(new OpsPage(OpsOperator.display(identity), token, "overview", null,
                false), query.counts(), next, query.recentFailures(10), incident,
                OpsFormat.dur(query.expiringSoonWithin()), OpsCharts.expiries(charts.expiries()),
                OpsCharts.outcomes(charts.outcomes()));
        return OpsGrantsResource.page(t, csrf, csrfCookie, token);
    }

    /**
     * Signs out. Built-in sign-in: forgets the session cookie and records the sign-out, which ends every session
     * of the account, copies of the cookie included ({@link OpsSessions}). Identity provider:
     * forgets the OIDC session cookie and, where the provider has an end-session endpoint, signs out there too
     * (RP-initiated logout) and comes back to the sign-in page.
     */
    @POST
    @Path("/logout")
    @Blocking // records the sign-out in the database; and a malformed form body fails into the mappers on a worker,
              // not on the event loop (where it hung)
    @Authenticated // also for someone signed in without the role ops, to switch accounts
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> logout(@CookieParam(OpsCsrf.COOKIE) String csrfCookie, @FormParam(OpsCsrf.FIELD) String field) {
        if (!signIn.oidc()) {
            // the session cookie is stateless: a copy would outlive a forgotten cookie, so the account's sessions
            // end on the server too (OpsSessions)
            sessions.signOut(OpsOperator.display(identity));
            return Uni.createFrom().item(Response.seeOther(URI.create("/ops/login?logout=true"))
                    .cookie(new NewCookie.Builder(OpsSignIn.SESSION_COOKIE).value("").path("/").maxAge(0).build())
                    .build());
        }
        OidcSession session = oidcSession.get();
        String idToken = session.getIdToken() == null ? null : session.getIdToken().getRawToken();
        String endSession = oidcMetadata.isResolvable() ? oidcMetadata.get().getEndSessionUri() : null;
        URI next = endSession == null || idToken == null ? URI.create("/ops/login?logout=true")
                : UriBuilder.fromUri(endSession).queryParam("id_token_hint", idToken)
                        .queryParam("post_logout_redirect_uri", publicUrl + "/ops/login?logout=true").build();
        return session.logout().replaceWith(() -> Response.seeOther(next).build());
    }

    @org.jboss.resteasy.reactive.server.ServerExceptionMapper
    public Response notAnOperator(ForbiddenException e, HttpHeaders headers) {
        return OpsGrantsResource.notAnOperator(identity, csrf, headers);
    }

    @org.jboss.resteasy.reactive.server.ServerExceptionMapper
    public Response csrfRejected(OpsCsrf.Rejected e) {
        return OpsGrantsResource.errorPage(403, "Form expired",
                "This form could not be checked (it is old, or came from another site). Go back, reload the page and try again.");
    }
}
