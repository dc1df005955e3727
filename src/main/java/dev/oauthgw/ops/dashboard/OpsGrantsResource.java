package dev.oauthgw.ops.dashboard;

import java.util.UUID;

import dev.oauthgw.onboarding.OnboardingLinkService;
import dev.oauthgw.onboarding.OnboardingLinkService.LinkView;
import dev.oauthgw.ops.admin.GrantActionService;
import dev.oauthgw.ops.admin.GrantQueryService;
import dev.oauthgw.proxy.ProxyUse;
import dev.oauthgw.ops.signin.OpsOperator;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.oauthgw.common.GatewayException;
import dev.oauthgw.ops.admin.GrantActionService.ReauthLink;
import dev.oauthgw.ops.admin.GrantActionService.RefreshResult;
import dev.oauthgw.ops.admin.GrantQueryService.Filter;
import dev.oauthgw.ops.admin.GrantQueryService.GrantDetail;
import dev.oauthgw.ops.admin.GrantQueryService.GrantPage;
import dev.oauthgw.ops.admin.GrantQueryService.Query;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The grants table, a grant's page, and the operators' actions on it. Every action is a POST that
 * carries the CSRF token and comes from a confirmation page; it is audited with the operator's name.
 * Revoking an outstanding link is the exception: a form on the grant page, as a new link undoes it.
 * Pages work without JavaScript (the only script copies a link to the clipboard).
 */
@CsrfChecked
@Path("/ops/grants")
@RolesAllowed("ops")
@Produces(MediaType.TEXT_HTML)
public class OpsGrantsResource {

    /** The durations the "expiring within" filter offers. */
    public record Choice(String value, String label, boolean selected) {
    }

    /** What a confirmation page says about an action. */
    public record Action(String key, String title, String explanation, String button, boolean danger) {
    }

    static final Map<String, Action> ACTIONS = Map.of(
            "confirm-account", new Action("confirm-account", "Confirm the Pax8 account",
                    "The partner is bound to the Pax8 account shown below for good, and the grant becomes ACTIVE: "
                            + "callers are served its tokens from now on. Confirm only if this account is the partner's.",
                    "Confirm account", false),
            "reject-account", new Action("reject-account", "Reject the Pax8 account",
                    "The gateway revokes the tokens of this consent at the provider (where it supports revocation) "
                            + "and deletes them; the grant is REVOKED and the partner stays unbound. Send the partner "
                            + "a new link to connect the right account.",
                    "Reject account", true),
            "refresh", new Action("refresh", "Force a refresh",
                    "The gateway asks the provider for a new access token now, with the grant's refresh token "
                            + "(which the provider rotates). Callers keep being served meanwhile.",
                    "Refresh now", false),
            "reauthorization-link", new Action("reauthorization-link", "Create a re-authorization link",
                    "A signed, single-use link for the partner's admin. When they open it and consent again, the "
                            + "grant gets new tokens and becomes ACTIVE.",
                    "Create link", false),
            "disconnect", new Action("disconnect", "Disconnect this partner",
                    "The gateway revokes the partner's tokens at the provider (where it supports revocation) and "
                            + "deletes them. Callers get 409 for this partner until the partner connects again "
                            + "through a re-authorization link.",
                    "Disconnect", true));

    static final Map<String, String> NOTICES = Map.of(
            "refreshed", "Refreshed: the grant has a new access token.",
            "confirmed", "Confirmed: the partner is bound to this Pax8 account and the grant is ACTIVE.",
            "rejected", "Rejected: the tokens of that consent are revoked and deleted.",
            "link-revoked", "The link is revoked: it can no longer be used.",
            "refresh-failed", "The refresh failed; see the last error below.",
            "disconnected", "Disconnected: the tokens are revoked and deleted.",
            "disconnected-revocation-failed",
            "Disconnected: the tokens are deleted, but the provider's revocation failed (see the history).",
            "disconnected-no-revocation",
            "Disconnected: the tokens are deleted (this provider offers no revocation endpoint).");

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(OpsPage page, GrantPage grants, String filter, List<Choice> withins,
                String q, String within, String firstPageUrl, String nextPageUrl);

        static native TemplateInstance detail(OpsPage page, GrantDetail grant, List<LinkView> links,
                List<ProxyUse.Entry> proxyUse);

        static native TemplateInstance confirm(OpsPage page, GrantDetail grant, Action action);

        static native TemplateInstance link(OpsPage page, GrantDetail grant, ReauthLink link);

        /** {@code signOutCsrf}: when set, the page offers to sign out (to switch to another account). */
        static native TemplateInstance error(int status, String title, String message, String signOutCsrf);
    }

    private static final List<String[]> WITHINS = List.of(new String[] { "PT1H", "1 hour" },
            new String[] { "PT6H", "6 hours" }, new String[] { "PT24H", "24 hours" }, new String[] { "P7D", "7 days" });

    /** The partner's recent calls through the proxy (who called what), for the grant's page. */
    @jakarta.inject.Inject
    ProxyUse proxyUse;

    private final GrantQueryService query;
    private final GrantActionService actions;
    private final OnboardingLinkService links;
    private final OpsCsrf csrf;
    private final SecurityIdentity identity;

    public OpsGrantsResource(GrantQueryService query, GrantActionService actions, OnboardingLinkService links,
            OpsCsrf csrf, SecurityIdentity identity) {
        this.query = query;
        this.actions = actions;
        this.links = links;
        this.csrf = csrf;
        this.identity = identity;
    }

    @GET
    public Response list(@CookieParam(OpsCsrf.COOKIE) String csrfCookie, @QueryParam("filter") String filter,
            @QueryParam("within") String within, @QueryParam("q") String q, @QueryParam("after") String after,
            @QueryParam("size") String sizeParam) {
        Filter f = Filter.parse(filter);
        int size = parseSize(sizeParam);
        String w = within == null || within.isBlank() ? "PT6H" : within.strip();
        Duration d = parseWithin(w);
        String search = q == null ? "" : q.strip();
        GrantPage page = query.list(new Query(f, d, search, after, size));
        List<Choice> choices = WITHINS.stream().map(c -> new Choice(c[0], c[1], c[0].equals(w))).toList();
        String base = "/ops/grants?filter=" + f.param() + "&within=" + enc(w) + (search.isEmpty() ? "" : "&q=" + enc(search))
                + (size != 50 ? "&size=" + size : "");
        String next = page.hasNext() ? base + "&after=" + page.nextCursor() : null;
        String token = csrf.tokenFor(csrfCookie);
        return page(Templates.list(page(token, "grants", null, false), page, f.param(), choices, search, w, base, next),
                csrf, csrfCookie, token);
    }

    @GET
    @Path("/{partnerId}")
    public Response detail(@CookieParam(OpsCsrf.COOKIE) String csrfCookie, @PathParam("partnerId") String partnerId,
            @QueryParam("done") String done) {
        GrantDetail g = grant(partnerId);
        String notice = done == null ? null : NOTICES.get(done);
        boolean bad = done != null && (done.contains("failed"));
        String token = csrf.tokenFor(csrfCookie);
        return page(Templates.detail(page(token, "grants", notice, bad), g, links.outstanding(partnerId),
                proxyUse.recent(partnerId, 20)), csrf, csrfCookie, token);
    }

    @GET
    @Path("/{partnerId}/confirm/{action}")
    public Response confirm(@CookieParam(OpsCsrf.COOKIE) String csrfCookie, @PathParam("partnerId") String partnerId,
            @PathParam("action") String action) {
        Action a = ACTIONS.get(action);
        if (a == null) {
            throw GatewayException.notFound("No such action.");
        }
        GrantDetail g = grant(partnerId);
        String token = csrf.tokenFor(csrfCookie);
        return page(Templates.confirm(page(token, "grants", null, false), g, a), csrf, csrfCookie, token);
    }

    @POST
    @Path("/{partnerId}/refresh")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response refresh(@CookieParam(OpsCsrf.COOKIE) String csrfCookie, @FormParam(OpsCsrf.FIELD) String field,
            @PathParam("partnerId") String partnerId) {
        RefreshResult r = actions.forceRefresh(partnerId, operator());
        return backTo(partnerId, r.refreshed() ? "refreshed" : "refresh-failed");
    }

    @POST
    @Path("/{partnerId}/reauthorization-link")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response reauthorizationLink(@CookieParam(OpsCsrf.COOKIE) String csrfCookie,
            @FormParam(OpsCsrf.FIELD) String field, @PathParam("partnerId") String partnerId) {
        ReauthLink link = actions.reauthorizationLink(partnerId, null, operator());
        GrantDetail g = grant(partnerId);
        return Response.ok(Templates.link(page(csrfCookie, "grants", null, false), g, link)).build();
    }

    @POST
    @Path("/{partnerId}/disconnect")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response disconnect(@CookieParam(OpsCsrf.COOKIE) String csrfCookie, @FormParam(OpsCsrf.FIELD) String field,
            @PathParam("partnerId") String partnerId) {
        GrantActionService.DisconnectResult r = actions.disconnect(partnerId, operator());
        String done = switch (r.revocation()) {
            case "failed" -> "disconnected-revocation-failed";
            case "not_supported" -> "disconnected-no-revocation";
            default -> "disconnected";
        };
        return backTo(partnerId, done);
    }

    @POST
    @Path("/{partnerId}/confirm-account")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response confirmAccount(@CookieParam(OpsCsrf.COOKIE) String csrfCookie,
            @FormParam(OpsCsrf.FIELD) String field, @FormParam("account") String account,
            @PathParam("partnerId") String partnerId) {
        actions.confirm(partnerId, account, operator());
        return backTo(partnerId, "confirmed");
    }

    @POST
    @Path("/{partnerId}/reject-account")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response rejectAccount(@CookieParam(OpsCsrf.COOKIE) String csrfCookie,
            @FormParam(OpsCsrf.FIELD) String field, @FormParam("account") String account,
            @PathParam("partnerId") String partnerId) {
        actions.reject(partnerId, account, operator());
        return backTo(partnerId, "rejected");
    }

    /** Revokes one outstanding link, straight from the grant page (a new link undoes it). */
    @POST
    @Path("/{partnerId}/links/{linkId}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revokeLink(@CookieParam(OpsCsrf.COOKIE) String csrfCookie, @FormParam(OpsCsrf.FIELD) String field,
            @PathParam("partnerId") String partnerId, @PathParam("linkId") String linkId) {
        UUID id;
        try {
            id = UUID.fromString(linkId);
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest("The link id must be a UUID.");
        }
        links.revoke(partnerId, id, operator());
        return backTo(partnerId, "link-revoked");
    }

    @ServerExceptionMapper
    public Response gatewayFailure(GatewayException e) {
        return errorPage(e.status(), e.title(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response csrfRejected(OpsCsrf.Rejected e) {
        return errorPage(403, "Form expired",
                "This form could not be checked (it is old, or came from another site). Go back, reload the page and try again.");
    }

    /**
     * Signed in, but without the role ops (a viewer account, or nobody in an operator group at the identity
     * provider): a page that says so and offers to sign out, to come back with another account.
     */
    static Response notAnOperator(SecurityIdentity identity, OpsCsrf csrf, HttpHeaders headers) {
        String who = identity == null || identity.isAnonymous() ? "this account" : OpsOperator.display(identity);
        jakarta.ws.rs.core.Cookie c = headers.getCookies().get(OpsCsrf.COOKIE);
        String cookie = c == null ? null : c.getValue();
        String token = csrf.tokenFor(cookie);
        Response.ResponseBuilder rb = Response.status(403).type(MediaType.TEXT_HTML_TYPE)
                .entity(Templates.error(403, "Not an operator", "You are signed in as " + who
                        + ", but this account may not operate the gateway. Ask an administrator to give it the operator "
                        + "role (with your identity provider: membership in an operator group), or sign out and sign in "
                        + "with another account.", token));
        if (csrf.isNew(cookie, token)) {
            rb.cookie(csrf.cookie(token));
        }
        return rb.build();
    }

    @ServerExceptionMapper
    public Response notAnOperator(io.quarkus.security.ForbiddenException e, HttpHeaders headers) {
        return notAnOperator(identity, csrf, headers);
    }

    static Response errorPage(int status, String title, String message) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE).entity(Templates.error(status, title, message, null))
                .build();
    }

    /** A page and, when new, the CSRF cookie (the security headers: {@link OpsSecurityHeaders}). */
    static Response page(TemplateInstance t, OpsCsrf csrf, String csrfCookie, String token) {
        Response.ResponseBuilder rb = Response.ok(t).type(MediaType.TEXT_HTML_TYPE);
        if (csrf.isNew(csrfCookie, token)) {
            rb.cookie(csrf.cookie(token));
        }
        return rb.build();
    }

    private OpsPage page(String token, String tab, String notice, boolean bad) {
        return new OpsPage(OpsOperator.display(identity), token, tab, notice, bad);
    }

    private GrantDetail grant(String partnerId) {
        return query.detail(partnerId).orElseThrow(() -> GatewayException.notFound(
                "No grant for partner '" + partnerId + "'. It may not exist or may not have connected yet."));
    }

    private String operator() {
        return OpsOperator.actor(identity);
    }

    private static Response backTo(String partnerId, String done) {
        return Response.seeOther(URI.create("/ops/grants/" + enc(partnerId) + "?done=" + done)).build();
    }

    /** An int query parameter that JAX-RS would answer with a JSON 404 when it is not a number: a page instead. */
    private static int parseSize(String size) {
        if (size == null || size.isBlank()) {
            return 50;
        }
        try {
            return Integer.parseInt(size.strip());
        } catch (NumberFormatException e) {
            throw GatewayException.badRequest("size must be a number.");
        }
    }

    private static Duration parseWithin(String w) {
        try {
            Duration d = Duration.parse(w);
            if (d.isNegative() || d.compareTo(Duration.ofDays(3650)) > 0) {
                throw new IllegalArgumentException();
            }
            return d;
        } catch (RuntimeException e) {
            throw GatewayException.badRequest("within must be an ISO-8601 duration such as PT6H.");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
