package dev.oauthgw.onboarding;

import dev.oauthgw.onboarding.OnboardingLinkService.ActiveLink;
import dev.oauthgw.onboarding.OnboardingLinkService.LinkRejected;
import dev.oauthgw.provider.ProviderRegistry;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

/**
 * The pages a partner admin sees: the link's Connect page, the redirect to the provider, and the
 * result page after the provider sends the browser back. Every page is no-store and sends no referrer
 * (the link token is in the URL).
 */
@Path("/onboarding")
@Produces(MediaType.TEXT_HTML)
public class OnboardingResource {

    static final String COOKIE = "gw_onboarding";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance connect(ActiveLink link, String appName, String token);

        static native TemplateInstance result(OnboardingOutcome outcome, String partnerName, String appName);
    }

    private final OnboardingLinkService links;
    private final OnboardingService onboarding;
    private final OnboardingConfig config;
    private final String appName;

    public OnboardingResource(OnboardingLinkService links, OnboardingService onboarding, OnboardingConfig config,
            ProviderRegistry providers) {
        this.links = links;
        this.onboarding = onboarding;
        this.config = config;
        this.appName = providers.defaultProvider().registration().appName();
    }

    @GET
    @Path("/callback")
    public Response callback(@QueryParam("state") String state, @QueryParam("code") String code,
            @QueryParam("error") String error, @QueryParam("error_description") String errorDescription,
            @CookieParam(COOKIE) String cookie) {
        OnboardingService.Result r = onboarding.callback(state, code, error, errorDescription, cookie);
        return page(r.outcome().status(), Templates.result(r.outcome(), r.partnerName(), appName));
    }

    @GET
    @Path("/{token}")
    public Response link(@PathParam("token") String token) {
        try {
            ActiveLink link = links.resolve(token);
            return page(200, Templates.connect(link, appName, token));
        } catch (LinkRejected e) {
            return result(OnboardingOutcome.of(e.problem()));
        }
    }

    @POST
    @Path("/{token}/connect")
    public Response connect(@PathParam("token") String token, @CookieParam(COOKIE) String cookie) {
        try {
            OnboardingService.Connect c = onboarding.connect(token, cookie);
            NewCookie binding = new NewCookie.Builder(COOKIE).value(c.browserCookie()).path("/onboarding")
                    .httpOnly(true).secure(config.secureCookie()).sameSite(NewCookie.SameSite.LAX)
                    .maxAge((int) Math.max(60, config.authorizationTimeout().toSeconds() * 2)).build();
            return Response.seeOther(c.authorizeUri()).cookie(binding).header("Cache-Control", "no-store")
                    .header("Referrer-Policy", "no-referrer").build();
        } catch (LinkRejected e) {
            return result(OnboardingOutcome.of(e.problem()));
        }
    }

    private Response result(OnboardingOutcome outcome) {
        return page(outcome.status(), Templates.result(outcome, null, appName));
    }

    private static Response page(int status, TemplateInstance page) {
        return Response.status(status).entity(page).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Frame-Options", "DENY")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
                .build();
    }
}
