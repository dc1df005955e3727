package dev.oauthgw.ops;

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
                String idpErrorDescription, boolean loggedOut);
    }

    private final OpsSignIn signIn;
    private final OpsConfig config;

    public OpsLoginResource(OpsSignIn signIn, OpsConfig config) {
        this.signIn = signIn;
        this.config = config;
    }

    @GET
    public Response login(@QueryParam("error") String error, @QueryParam("error_description") String description,
            @QueryParam("logout") String logout) {
        boolean oidc = signIn.oidc();
        String idpError = oidc && error != null ? clip(error, 60) : null;
        String idpDescription = oidc && description != null ? clip(description, 200) : null;
        return Response.ok(Templates.login(oidc, config.oidc().providerName(), !oidc && error != null, idpError,
                idpDescription, logout != null)).header("Cache-Control", "no-store").header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer").build();
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
