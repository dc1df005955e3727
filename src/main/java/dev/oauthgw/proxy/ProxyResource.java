package dev.oauthgw.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.oauthgw.common.Caller;
import dev.oauthgw.common.GatewayException;
import dev.oauthgw.tokens.PartnersClaim;
import dev.oauthgw.tokens.TokensConfig;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * {@code /proxy/{partnerId}/{path...}}: the partner's provider API through the gateway, which adds the partner's
 * token (role {@value #ROLE}; the JWT's {@code partners} claim as on {@code /tokens}). Thin: the path is read raw (as
 * sent, before any decoding or normalising) and handed to {@link ProxyService}; the provider's answer streams back.
 */
@Path("/proxy")
public class ProxyResource {

    public static final String ROLE = "proxy:use";
    private static final Pattern PARTNER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final ProxyService proxy;
    private final Caller caller;
    private final TokensConfig tokensConfig;
    private final ProxyConfig config;

    @Context
    HttpServerRequest request;
    @Context
    HttpHeaders headers;

    public ProxyResource(ProxyService proxy, Caller caller, TokensConfig tokensConfig, ProxyConfig config) {
        this.proxy = proxy;
        this.caller = caller;
        this.tokensConfig = tokensConfig;
        this.config = config;
    }

    @GET
    @Path("/{partnerId}/{path: .*}")
    @RolesAllowed(ROLE)
    public Response get(@PathParam("partnerId") String partnerId) {
        return forward("GET", partnerId, null);
    }

    @DELETE
    @Path("/{partnerId}/{path: .*}")
    @RolesAllowed(ROLE)
    public Response delete(@PathParam("partnerId") String partnerId) {
        return forward("DELETE", partnerId, null);
    }

    @POST
    @Path("/{partnerId}/{path: .*}")
    @RolesAllowed(ROLE)
    public Response post(@PathParam("partnerId") String partnerId, InputStream body) {
        return forward("POST", partnerId, body);
    }

    @PUT
    @Path("/{partnerId}/{path: .*}")
    @RolesAllowed(ROLE)
    public Response put(@PathParam("partnerId") String partnerId, InputStream body) {
        return forward("PUT", partnerId, body);
    }

    @PATCH
    @Path("/{partnerId}/{path: .*}")
    @RolesAllowed(ROLE)
    public Response patch(@PathParam("partnerId") String partnerId, InputStream body) {
        return forward("PATCH", partnerId, body);
    }

    private Response forward(String method, String partnerId, InputStream body) {
        if (!PARTNER_ID.matcher(partnerId).matches()) {
            throw ProxyService.gateway(GatewayException.badRequest("Not a partner id: 1-64 letters, digits, '.', '_' "
                    + "or '-'."));
        }
        PartnersClaim.require(caller.claim(PartnersClaim.NAME), partnerId, tokensConfig.requirePartnersClaim());
        String[] raw = below(request.uri(), partnerId);
        ProxyService.checkTarget(raw[0], raw[1]);
        byte[] bytes = read(body);
        Map<String, List<String>> h = new LinkedHashMap<>(headers.getRequestHeaders());
        ProxyAnswer a = proxy.forward(new ProxyService.Call(partnerId, method, raw[0], raw[1], h, bytes, caller.name()));
        Response.ResponseBuilder rb = Response.status(a.status());
        a.headers().forEach((name, values) -> values.forEach(v -> rb.header(name, v)));
        rb.header(ProxyHeaders.SOURCE, "provider");
        if (a.status() == 204 || a.status() == 304) {
            try {
                a.body().close();
            } catch (IOException ignored) {
                // nothing to send anyway
            }
            return rb.build();
        }
        return rb.entity((StreamingOutput) a::transferTo).build();
    }

    /**
     * The raw path below {@code /<prefix>/<partnerId>} and the raw query (or null), from the request line as sent:
     * what the router matched on is decoded and normalised, which could hide {@code ..} or {@code %2F}.
     */
    static String[] below(String uri, String partnerId) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? null : uri.substring(q + 1);
        int hash = path.indexOf('#');
        if (hash >= 0 || (query != null && query.indexOf('#') >= 0)) {
            throw ProxyService.gateway(GatewayException.badRequest("A fragment ('#') is not allowed."));
        }
        // "/<prefix>/<partnerId>/<rest>": the first two segments as sent must be the prefix and the partner id
        int first = path.indexOf('/', 1);
        int second = first < 0 ? -1 : path.indexOf('/', first + 1);
        if (!path.startsWith("/") || first < 0 || second < 0
                || !path.substring(first + 1, second).equals(partnerId)) {
            throw ProxyService.gateway(GatewayException.badRequest(
                    "The request path must be /<prefix>/<partnerId>/<path under the provider's API>, as sent."));
        }
        return new String[] { path.substring(second), query };
    }

    private byte[] read(InputStream body) {
        if (body == null) {
            return null;
        }
        try (InputStream in = body) {
            byte[] b = in.readNBytes(config.maxRequestBodyBytes() + 1);
            if (b.length > config.maxRequestBodyBytes()) {
                throw ProxyService.gateway(new GatewayException(413, "payload-too-large", "Payload too large",
                        "The proxy forwards request bodies of at most " + config.maxRequestBodyBytes() + " bytes."));
            }
            return b;
        } catch (IOException e) {
            throw ProxyService.gateway(GatewayException.badRequest("The request body could not be read."));
        }
    }
}
