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
 * The dashboard's sign-in page (reachable anonymously). The form posts to Quarkus form authentication
 * ({@code /j_security_check}), which checks the account with {@link OpsIdentityProvider}, sets the
 * encrypted session cookie and sends the operator on to the page first asked for.
 */
@Path("/ops/login")
@Produces(MediaType.TEXT_HTML)
public class OpsLoginResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(boolean error, boolean loggedOut);
    }

    @GET
    public Response login(@QueryParam("error") String error, @QueryParam("logout") String logout) {
        return Response.ok(Templates.login(error != null, logout != null)).header("Cache-Control", "no-store")
                .header("X-Frame-Options", "DENY").build();
    }
}
