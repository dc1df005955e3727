package dev.oauthgw.ops.signin;

import dev.oauthgw.ops.OpsConfig;
import java.util.Map;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The dashboard's sign-in page (reachable anonymously). Built-in sign-in: the form posts to Quarkus form
 * authentication ({@code /j_security_check}), which checks the account with {@link OpsIdentityProvider}, sets
 * the encrypted session cookie and sends the operator on to the page first asked for. With the vendor's
 * identity provider: a button that starts the code flow, and what the identity provider answered when it
 * did not sign the person in (it sends them here: {@code quarkus.oidc.authentication.error-path}).
 */
@Path("/ops/login")
@Produces(MediaType.TEXT_HTML)
public class OpsLoginResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(boolean oidc, String providerName, boolean error, String idpError,
                String idpCode, boolean loggedOut, boolean throttled);
    }

    private final OpsSignIn signIn;
    private final OpsConfig config;

    public OpsLoginResource(OpsSignIn signIn, OpsConfig config) {
        this.signIn = signIn;
        this.config = config;
    }

    /**
     * What the identity provider may answer instead of a code (RFC 6749 §4.1.2.1, OpenID Connect Core
     * §3.1.2.6), in words. Anything else shows as "error": the page never repeats text from the address, so
     * a crafted link cannot put its own message on the gateway's sign-in page.
     */
    private static final Map<String, String> IDP_ERRORS = Map.ofEntries(
            Map.entry("access_denied", "the sign-in was cancelled or refused"),
            Map.entry("login_required", "you need to sign in at the identity provider"),
            Map.entry("consent_required", "the identity provider needs your consent"),
            Map.entry("interaction_required", "the identity provider needs you to act"),
            Map.entry("account_selection_required", "choose an account at the identity provider"),
            Map.entry("invalid_request", "the identity provider refused the request"),
            Map.entry("unauthorized_client", "the gateway is not allowed to use the identity provider"),
            Map.entry("invalid_scope", "the identity provider refused the requested scopes"),
            Map.entry("server_error", "the identity provider failed"),
            Map.entry("temporarily_unavailable", "the identity provider is temporarily unavailable"));

    @GET
    public Response login(@QueryParam("error") String error, @QueryParam("logout") String logout,
            @QueryParam("throttled") String throttled) {
        boolean oidc = signIn.oidc();
        String idpError = oidc && error != null ? IDP_ERRORS.getOrDefault(error, "error") : null;
        String idpCode = oidc && error != null && IDP_ERRORS.containsKey(error) ? error : null;
        // too many failed attempts (OpsIdentityProvider sends the browser here): 429, with the form still there
        boolean tooMany = !oidc && throttled != null;
        return Response.status(tooMany ? 429 : 200).entity(Templates.login(oidc, config.oidc().providerName(),
                !oidc && error != null && !tooMany, idpError, idpCode, logout != null, tooMany))
                .header("Cache-Control", "no-store").header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer").build();
    }
}
