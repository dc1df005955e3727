package dev.oauthgw.sandbox.authserver;

import dev.oauthgw.sandbox.faults.SandboxFaults;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;

import dev.oauthgw.sandbox.OAuthError;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * {@code POST /sandbox/v1/token} (Pax8 JSON dialect and RFC 6749 form dialect on one path) and
 * {@code POST /sandbox/oauth/revoke} (RFC 7009). Bodies are read raw and parsed by {@link OAuthRequest}, so
 * every failure is an RFC 6749 error object.
 */
@Path("/sandbox")
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxTokenResource {

    private static final Logger LOG = Logger.getLogger(SandboxTokenResource.class);
    /** As Pax8 writes it: {@code 2024-12-20T17:53:50.460+00:00}. */
    static final DateTimeFormatter EXPIRES_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx")
            .withZone(ZoneOffset.UTC);

    @Inject
    SandboxTokenService service;
    @Inject
    SandboxFaults faults;

    @POST
    @Path("/v1/token")
    @Produces(MediaType.APPLICATION_JSON)
    public Response token(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context UriInfo uriInfo, byte[] body) {
        try {
            IssuedTokens t = service.token(contentType, authorization, body, issuer(uriInfo));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("access_token", t.accessToken());
            if (t.refreshToken() != null) {
                json.put("refresh_token", t.refreshToken());
            }
            json.put("token_type", "Bearer");
            json.put("expires_in", t.expiresIn());
            json.put("expires_at", EXPIRES_AT.format(t.expiresAt()));
            json.put("scope", t.scope());
            if (t.refreshTokenExpiresIn() != null) {
                json.put("refresh_token_expires_in", t.refreshTokenExpiresIn());
            }
            faults.takeOddAnswer().ifPresent(odd -> {
                switch (odd) {
                    case NO_EXPIRY -> {
                        json.remove("expires_in");
                        json.remove("expires_at");
                    }
                    case TOKEN_TYPE -> json.put("token_type", "mac");
                    case HUGE_EXPIRES_IN -> {
                        json.put("expires_in", Long.MAX_VALUE / 2);
                        json.remove("expires_at");
                    }
                    case LONG_SCOPE -> json.put("scope", "Manage:Pax8Data ".repeat(313).strip());
                    case EXPIRES_IN_MILLISECONDS -> {
                        json.put("expires_in", t.expiresIn() * 1000);
                        json.remove("expires_at");
                    }
                    case ZERO_EXPIRES_IN -> {
                        json.put("expires_in", 0);
                        json.remove("expires_at");
                    }
                    case NEGATIVE_EXPIRES_IN -> {
                        json.put("expires_in", -3600);
                        json.remove("expires_at");
                    }
                    case CRLF_IN_ACCESS_TOKEN -> json.put("access_token", t.accessToken() + "\r\nX-Injected: 1");
                    case OVERSIZE_ACCESS_TOKEN -> json.put("access_token", t.accessToken() + "."
                            + "A".repeat(17 * 1024));
                    case NO_TOKEN_TYPE -> json.remove("token_type");
                }
            });
            return noStore(Response.ok(json, MediaType.APPLICATION_JSON_TYPE)).build();
        } catch (OAuthError e) {
            return e.response();
        } catch (RuntimeException e) {
            LOG.error("sandbox token endpoint failed", e);
            return OAuthError.serverError(500, "The sandbox failed to handle the request").response();
        }
    }

    @POST
    @Path("/oauth/revoke")
    @Produces(MediaType.APPLICATION_JSON)
    public Response revoke(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        try {
            service.revoke(contentType, authorization, body);
            return noStore(Response.ok()).build();
        } catch (OAuthError e) {
            return e.response();
        } catch (RuntimeException e) {
            LOG.error("sandbox revocation endpoint failed", e);
            return OAuthError.serverError(500, "The sandbox failed to handle the request").response();
        }
    }

    /** The issuer of sandbox tokens: {@code <base>/sandbox/}, as Auth0 issuers end with a slash. */
    static String issuer(UriInfo uriInfo) {
        String base = uriInfo.getBaseUri().toString();
        return (base.endsWith("/") ? base : base + "/") + "sandbox/";
    }

    private static Response.ResponseBuilder noStore(Response.ResponseBuilder r) {
        return r.header(HttpHeaders.CACHE_CONTROL, "no-store").header("Pragma", "no-cache");
    }
}
