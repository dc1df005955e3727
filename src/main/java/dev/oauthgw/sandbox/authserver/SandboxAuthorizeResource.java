package dev.oauthgw.sandbox.authserver;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import dev.oauthgw.sandbox.Redirects;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The sandbox's login.pax8.com: {@code GET /sandbox/authorize} validates the authorization request and shows
 * the consent page; {@code POST /sandbox/authorize/decision} turns Allow or Deny into the redirect back to
 * the client. The consent form carries only an opaque request id; the request itself stays server-side.
 */
@Path("/sandbox/authorize")
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxAuthorizeResource {

    /** RFC 7636 §4.2: a S256 challenge is 43 base64url characters. */
    private static final Pattern S256_CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
    /** RFC 6749 §3.3: scope tokens are NQCHAR, separated by spaces. */
    private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+( [\\x21\\x23-\\x5B\\x5D-\\x7E]+)*");
    private static final List<String> PARAMS = List.of("response_type", "client_id", "redirect_uri", "state", "scope",
            "audience", "code_challenge", "code_challenge_method");

    @Inject
    SandboxClients clients;

    @Inject
    SandboxPartners partners;

    @Inject
    ConsentRequests consentRequests;

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxCounters counters;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance consent(String clientName, List<String> scopes, String audience,
                List<SandboxPartner> partners, String requestId, String redirectHost);

        static native TemplateInstance error(String title, String message);
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response authorize(@Context UriInfo uriInfo) {
        counters.call(SandboxCounters.Endpoint.AUTHORIZE);
        MultivaluedMap<String, String> q = uriInfo.getQueryParameters();
        // Until client and redirect URI are known good, errors are shown here and never redirected
        // (RFC 6749 §4.1.2.1): an attacker must not be able to bounce the browser anywhere.
        if (repeated(q, "client_id") || repeated(q, "redirect_uri")) {
            return errorPage("Invalid request", "client_id and redirect_uri must each be given once.");
        }
        String clientId = q.getFirst("client_id");
        Optional<SandboxClient> client = clients.find(clientId);
        if (client.isEmpty()) {
            return errorPage("Unknown client", "The client_id is missing or not registered at the sandbox.");
        }
        String redirectUri = q.getFirst("redirect_uri");
        if (!client.get().hasRedirectUri(redirectUri)) {
            return errorPage("Invalid redirect_uri",
                    "The redirect_uri is missing or not registered for this client (it must match exactly).");
        }
        String st = emptyToNull(q.getFirst("state"));
        for (String name : PARAMS) {
            if (repeated(q, name)) {
                return Redirects.to(302, redirectUri,
                        errorParams("invalid_request", "Parameter " + name + " is repeated", st));
            }
        }
        String responseType = emptyToNull(q.getFirst("response_type"));
        if (responseType == null) {
            return Redirects.to(302, redirectUri,
                    errorParams("invalid_request", "Missing required parameter: response_type", st));
        }
        if (!responseType.equals("code")) {
            return Redirects.to(302, redirectUri,
                    errorParams("unsupported_response_type", "Only response_type=code is supported", st));
        }
        String challenge = emptyToNull(q.getFirst("code_challenge"));
        String method = emptyToNull(q.getFirst("code_challenge_method"));
        if (method != null && challenge == null) {
            return Redirects.to(302, redirectUri,
                    errorParams("invalid_request", "code_challenge_method given without code_challenge", st));
        }
        if (challenge != null && !"S256".equals(method)) {
            return Redirects.to(302, redirectUri,
                    errorParams("invalid_request", "code_challenge_method must be S256", st));
        }
        if (challenge != null && !S256_CHALLENGE.matcher(challenge).matches()) {
            return Redirects.to(302, redirectUri,
                    errorParams("invalid_request", "code_challenge must be 43 base64url characters (S256)", st));
        }
        String audience = Optional.ofNullable(emptyToNull(q.getFirst("audience"))).orElse(Audiences.PARTNER_API);
        if (!Audiences.isKnown(audience)) {
            return Redirects.to(302, redirectUri, errorParams("invalid_request", "Unknown audience", st));
        }
        String scope = emptyToNull(q.getFirst("scope"));
        if (scope != null && !SCOPE.matcher(scope.trim()).matches()) {
            return Redirects.to(302, redirectUri, errorParams("invalid_scope", "The scope is malformed", st));
        }
        ConsentRequests.AuthorizationRequest request = new ConsentRequests.AuthorizationRequest(clientId, redirectUri,
                Scopes.normalize(scope), audience, st, challenge);
        String requestId = consentRequests.start(request);
        return consentPage(client.get(), request, requestId);
    }

    @POST
    @Path("/decision")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response decide(@FormParam("request_id") String requestId, @FormParam("partner") String partnerKey,
            @FormParam("decision") String decision) {
        counters.call(SandboxCounters.Endpoint.DECISION);
        Optional<ConsentRequests.AuthorizationRequest> waiting = consentRequests.peek(requestId);
        if (waiting.isEmpty()) {
            return errorPage("Unknown authorization request",
                    "This consent page is unknown, expired or was already answered. Start again from the application.");
        }
        ConsentRequests.AuthorizationRequest request = waiting.get();
        if ("deny".equals(decision)) {
            if (consentRequests.take(requestId).isEmpty()) {
                return errorPage("Unknown authorization request", "This consent page was already answered.");
            }
            return Redirects.to(303, request.redirectUri(),
                    errorParams("access_denied", "The partner admin denied the request", request.state()));
        }
        if (!"allow".equals(decision)) {
            return errorPage("Invalid decision", "Choose Allow or Deny.");
        }
        if (partners.find(partnerKey).isEmpty()) {
            return errorPage("Unknown partner", "Choose one of the sandbox partners in the list.");
        }
        if (consentRequests.take(requestId).isEmpty()) {
            return errorPage("Unknown authorization request", "This consent page was already answered.");
        }
        String code = grants.issueCode(request.clientId(), request.redirectUri(), partnerKey, request.scope(),
                request.audience(), request.codeChallenge());
        Map<String, String> params = new LinkedHashMap<>();
        params.put("code", code);
        if (request.state() != null) {
            params.put("state", request.state());
        }
        return Redirects.to(303, request.redirectUri(), params);
    }

    private Response consentPage(SandboxClient client, ConsentRequests.AuthorizationRequest request, String requestId) {
        List<String> scopes = new ArrayList<>(Scopes.set(request.scope()));
        String host = URI.create(request.redirectUri()).getAuthority();
        return Response.ok(Templates.consent(client.displayName(), scopes, request.audience(), partners.all(),
                requestId, host == null ? request.redirectUri() : host))
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header("X-Frame-Options", "DENY")
                .build();
    }

    private static Response errorPage(String title, String message) {
        return Response.status(400).entity(Templates.error(title, message)).type(MediaType.TEXT_HTML_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    private static Map<String, String> errorParams(String error, String description, String state) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("error", error);
        params.put("error_description", description);
        if (state != null) {
            params.put("state", state);
        }
        return params;
    }

    private static boolean repeated(MultivaluedMap<String, String> q, String name) {
        List<String> values = q.get(name);
        return values != null && values.size() > 1;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
