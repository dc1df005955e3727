package dev.oauthgw.sandbox.partnerapi;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;

import dev.oauthgw.sandbox.faults.SandboxCounters;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * Sandbox-only endpoints that Pax8 does not have, for the proxy's tests (the names say so):
 * {@code /sandbox/v1/sandbox-test/echo} answers what it received (method, path, query, headers; the bearer token replaced
 * by whether it was live) with a {@code Set-Cookie} and other headers the proxy must not pass back;
 * {@code /sandbox/v1/sandbox-test/large-response?mib=N} streams N MiB of JSON, produced only as fast as it is read.
 */
@Path("/sandbox/v1/sandbox-test")
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxProxyTestResource {

    static final int MAX_MIB = 1024;

    @Inject
    SandboxPartnerApi api;
    @Inject
    SandboxCounters counters;

    @GET
    @Path("/echo")
    @Produces(MediaType.APPLICATION_JSON)
    public Response echoGet(@Context HttpHeaders headers, @Context UriInfo uri) {
        return echo("GET", headers, uri, null);
    }

    @POST
    @Path("/echo")
    @Produces(MediaType.APPLICATION_JSON)
    public Response echoPost(@Context HttpHeaders headers, @Context UriInfo uri, byte[] body) {
        return echo("POST", headers, uri, body);
    }

    @PUT
    @Path("/echo")
    @Produces(MediaType.APPLICATION_JSON)
    public Response echoPut(@Context HttpHeaders headers, @Context UriInfo uri, byte[] body) {
        return echo("PUT", headers, uri, body);
    }

    @PATCH
    @Path("/echo")
    @Produces(MediaType.APPLICATION_JSON)
    public Response echoPatch(@Context HttpHeaders headers, @Context UriInfo uri, byte[] body) {
        return echo("PATCH", headers, uri, body);
    }

    @DELETE
    @Path("/echo")
    @Produces(MediaType.APPLICATION_JSON)
    public Response echoDelete(@Context HttpHeaders headers, @Context UriInfo uri) {
        return echo("DELETE", headers, uri, null);
    }

    private Response echo(String method, HttpHeaders headers, UriInfo uri, byte[] body) {
        SandboxPartnerApi.Entry e = api.enter("/v1/sandbox-test/echo", headers);
        if (e.refused()) {
            return e.refusal();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("path", uri.getRequestUri().getRawPath());
        m.put("query", uri.getRequestUri().getRawQuery());
        m.put("headers", counters.lastApiHeaders());
        m.put("body", body == null ? null : new String(body, StandardCharsets.UTF_8));
        m.put("partner", e.partner().key());
        return Response.ok(m, MediaType.APPLICATION_JSON_TYPE)
                .header("Set-Cookie", "pax8_session=sandbox-cookie; Path=/; HttpOnly")
                .header("Link", "</v1/sandbox-test/echo?page=1>; rel=\"next\"")
                .header("X-RateLimit-Remaining", "999")
                .header("ETag", "\"sandbox-echo\"")
                .header("Proxy-Authenticate", "Basic realm=\"sandbox\"")
                .header("X-Internal-Trace", "should-not-pass")
                .build();
    }

    @GET
    @Path("/large-response")
    @Produces(MediaType.APPLICATION_JSON)
    public Response large(@Context HttpHeaders headers, @QueryParam("mib") String mibParam) {
        SandboxPartnerApi.Entry e = api.enter("/v1/sandbox-test/large-response", headers);
        if (e.refused()) {
            return e.refusal();
        }
        Integer mib = SandboxPartnerApi.intParam(mibParam, 1);
        if (mib == null || mib < 1 || mib > MAX_MIB) {
            return SandboxPartnerApi.problem(400, "Bad Request", "/v1/sandbox-test/large-response",
                    "mib must be between 1 and " + MAX_MIB).build();
        }
        long total = mib * 1024L * 1024L;
        StreamingOutput out = (OutputStream os) -> {
            // one long JSON string: no double quotes inside
            byte[] item = "{'id':'00000000-0000-0000-0000-000000000000','name':'sandbox filler'},"
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] chunk = new byte[16 * 1024];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = item[i % item.length];
            }
            os.write("{\"content\":\"".getBytes(StandardCharsets.US_ASCII));
            long sent = 0;
            while (sent < total) {
                int n = (int) Math.min(chunk.length, total - sent);
                os.write(chunk, 0, n);
                sent += n;
                counters.largeResponseProduced(n);
            }
            os.write("\"}".getBytes(StandardCharsets.US_ASCII));
            os.flush();
        };
        return Response.ok(out, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
