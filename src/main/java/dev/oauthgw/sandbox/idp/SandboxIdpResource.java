package dev.oauthgw.sandbox.idp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.oauthgw.sandbox.BasicCredentials;
import dev.oauthgw.sandbox.OAuthError;
import dev.oauthgw.sandbox.Redirects;
import dev.oauthgw.sandbox.SandboxTokens;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * A small OpenID Connect provider standing in for the vendor's own identity provider (Okta, Entra ID, Auth0,
 * Keycloak...) so that the dashboard's OIDC sign-in can be run in dev mode and tested without one:
 * discovery, a sign-in page where you pick a person, the code flow with PKCE S256 and nonce, RS256 ID tokens
 * carrying email, name and groups, a JWK Set and RP-initiated logout. dev and test only.
 */
@Path("/sandbox/idp")
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxIdpResource {

    private static final Pattern S256_CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance signin(List<Person> users, String requestId, String client);

        static native TemplateInstance message(String title, String message);
    }

    /** A person on the sign-in page. */
    public record Person(String key, String name, String email, String groups) {
    }

    private final SandboxIdp idp;

    public SandboxIdpResource(SandboxIdp idp) {
        this.idp = idp;
    }

    @GET
    @Path("/.well-known/openid-configuration")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> discovery(@Context UriInfo uri) {
        String issuer = issuer(uri);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("issuer", issuer);
        d.put("authorization_endpoint", issuer + "/authorize");
        d.put("token_endpoint", issuer + "/token");
        d.put("jwks_uri", issuer + "/jwks");
        d.put("end_session_endpoint", issuer + "/logout");
        d.put("response_types_supported", List.of("code"));
        d.put("subject_types_supported", List.of("public"));
        d.put("id_token_signing_alg_values_supported", List.of("RS256"));
        d.put("scopes_supported", List.of("openid", "email", "profile"));
        d.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        d.put("code_challenge_methods_supported", List.of("S256"));
        d.put("claims_supported", List.of("sub", "email", "email_verified", "name", "groups", "nonce"));
        return d;
    }

    @GET
    @Path("/jwks")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> jwks() {
        return idp.jwks();
    }

    @GET
    @Path("/authorize")
    @Produces(MediaType.TEXT_HTML)
    public Response authorize(@QueryParam("client_id") String clientId, @QueryParam("redirect_uri") String redirectUri,
            @QueryParam("response_type") String responseType, @QueryParam("scope") String scope,
            @QueryParam("state") String state, @QueryParam("nonce") String nonce,
            @QueryParam("code_challenge") String challenge, @QueryParam("code_challenge_method") String method) {
        // until client and redirect URI are known good, errors stay on this page (never redirected)
        if (!idp.config().clientId().equals(clientId)) {
            return page(400, "Unknown client", "The client_id is missing or not registered at the sandbox identity provider.");
        }
        if (redirectUri == null || !idp.config().redirectUris().contains(redirectUri)) {
            return page(400, "Invalid redirect_uri", "The redirect_uri is not registered for this client (exact match).");
        }
        if (!"code".equals(responseType)) {
            return back(redirectUri, "unsupported_response_type", "Only response_type=code is supported", state);
        }
        if (scope == null || !List.of(scope.split(" ")).contains("openid")) {
            return back(redirectUri, "invalid_scope", "The scope must include openid", state);
        }
        if (challenge == null || !"S256".equals(method) || !S256_CHALLENGE.matcher(challenge).matches()) {
            return back(redirectUri, "invalid_request", "PKCE with code_challenge_method=S256 is required", state);
        }
        String requestId = idp.startSignIn(redirectUri, state, nonce, challenge);
        List<Person> people = idp.config().users().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> new Person(e.getKey(), e.getValue().name(), e.getValue().email(),
                        String.join(", ", e.getValue().groups().orElse(List.of()))))
                .toList();
        return Response.ok(Templates.signin(people, requestId, clientId)).type(MediaType.TEXT_HTML_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, "no-store").header("X-Frame-Options", "DENY").build();
    }

    @POST
    @Path("/authorize/decision")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response decide(@FormParam("request_id") String requestId, @FormParam("user") String user,
            @FormParam("decision") String decision) {
        Optional<SandboxIdp.SignInRequest> request = idp.takeSignIn(requestId);
        if (request.isEmpty()) {
            return page(400, "Unknown sign-in request", "This sign-in page is unknown, expired or was already used.");
        }
        SandboxIdp.SignInRequest r = request.get();
        if (!"sign-in".equals(decision)) {
            return back(303, r.redirectUri(), "access_denied", "The user cancelled the sign-in", r.state());
        }
        if (idp.user(user).isEmpty()) {
            return back(303, r.redirectUri(), "access_denied", "No such user at the sandbox identity provider", r.state());
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("code", idp.issueCode(user, r));
        if (r.state() != null) {
            params.put("state", r.state());
        }
        return Redirects.to(303, r.redirectUri(), params);
    }

    @POST
    @Path("/token")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response token(@Context UriInfo uri, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @FormParam("grant_type") String grantType, @FormParam("code") String code,
            @FormParam("redirect_uri") String redirectUri, @FormParam("code_verifier") String verifier,
            @FormParam("client_id") String bodyClientId, @FormParam("client_secret") String bodySecret) {
        try {
            BasicCredentials basic = BasicCredentials.parse(authorization);
            String clientId = basic != null ? basic.clientId() : bodyClientId;
            String secret = basic != null ? basic.clientSecret() : bodySecret;
            if (!idp.config().clientId().equals(clientId) || !idp.clientSecretMatches(secret)) {
                throw OAuthError.invalidClient("Client authentication failed", basic != null);
            }
            if (!"authorization_code".equals(grantType)) {
                throw OAuthError.unsupportedGrantType("Only authorization_code is supported");
            }
            SandboxIdp.SignedIn s = idp.redeem(code).orElseThrow(
                    () -> OAuthError.invalidGrant("The code is unknown, expired or already used"));
            if (!s.redirectUri().equals(redirectUri)) {
                throw OAuthError.invalidGrant("redirect_uri does not match the authorization request");
            }
            if (verifier == null || !SandboxTokens.s256(verifier).equals(s.codeChallenge())) {
                throw OAuthError.invalidGrant("PKCE verification failed");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("access_token", idp.accessToken());
            body.put("token_type", "Bearer");
            body.put("expires_in", idp.config().idTokenLifetime().toSeconds());
            body.put("id_token", idp.idToken(issuer(uri), s.user(), s.nonce()));
            body.put("scope", "openid email profile");
            return Response.ok(body).header(HttpHeaders.CACHE_CONTROL, "no-store").header("Pragma", "no-cache").build();
        } catch (OAuthError e) {
            return e.response();
        }
    }

    /**
     * RP-initiated logout: back to a registered post-logout URI when the request proves which client asks
     * (an ID token this provider issued as {@code id_token_hint}, or its {@code client_id}), as Keycloak and
     * others insist; else a page that says the person is signed out.
     */
    @GET
    @Path("/logout")
    @Produces(MediaType.TEXT_HTML)
    public Response logout(@QueryParam("post_logout_redirect_uri") String after, @QueryParam("state") String state,
            @QueryParam("id_token_hint") String hint, @QueryParam("client_id") String clientId) {
        boolean known = idp.issuedHere(hint) || (hint == null && idp.config().clientId().equals(clientId));
        if (after != null && known && idp.config().postLogoutRedirectUris().contains(after)) {
            Map<String, String> params = new LinkedHashMap<>();
            if (state != null) {
                params.put("state", state);
            }
            return Redirects.to(303, after, params);
        }
        return page(200, "Signed out", "You are signed out of the sandbox identity provider.");
    }

    private static Response back(String redirectUri, String error, String description, String state) {
        return back(302, redirectUri, error, description, state);
    }

    private static Response back(int status, String redirectUri, String error, String description, String state) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("error", error);
        params.put("error_description", description);
        if (state != null) {
            params.put("state", state);
        }
        return Redirects.to(status, redirectUri, params);
    }

    private static Response page(int status, String title, String message) {
        return Response.status(status).entity(Templates.message(title, message)).type(MediaType.TEXT_HTML_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    /** {@code <base>/sandbox/idp}, without a trailing slash (the Pax8 stand-in's issuer has one, Auth0-style). */
    static String issuer(UriInfo uri) {
        String base = uri.getBaseUri().toString();
        return (base.endsWith("/") ? base : base + "/") + "sandbox/idp";
    }
}
