package dev.oauthgw.sandbox.control;

import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.sandbox.authserver.SandboxClock;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartner;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * A thin HTTP face of the sandbox Pax8's parts (fault switches, counters, partners, grants, clock) for dev
 * mode and tests that drive the sandbox from another process. Unauthenticated: it exists only in the dev
 * and test builds (dev mode listens on localhost only). Answers JSON; bad input answers 400
 * {@code {"error": "..."}}.
 */
@Path("/sandbox/control")
@Produces(MediaType.APPLICATION_JSON)
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxControlResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    SandboxFaults faults;

    @Inject
    SandboxCounters counters;

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxPartners partners;

    @Inject
    SandboxClock clock;

    @Inject
    SandboxReset reset;

    /** Switches, counters and live families at a glance. */
    @GET
    public Map<String, Object> overview() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("now", clock.now().toString());
        m.put("faults", faults.snapshot());
        m.put("counters", counters.snapshot());
        m.put("live_families_by_partner", grants.liveFamiliesByPartner());
        m.put("partners", partners.all().size());
        return m;
    }

    @GET
    @Path("/counters")
    public Map<String, Object> counters() {
        Map<String, Object> m = new LinkedHashMap<>(counters.snapshot());
        m.put("live_families_by_partner", grants.liveFamiliesByPartner());
        return m;
    }

    /** Counters and switches off; tokens, families and partners stay. */
    @POST
    @Path("/reset")
    public Response reset() {
        reset.countersAndSwitches();
        return Response.noContent().build();
    }

    /** Everything forgotten, as after a restart. */
    @POST
    @Path("/reset-all")
    public Response resetAll() {
        reset.everything();
        return Response.noContent().build();
    }

    /** {@code ?status=503&times=3}; without {@code times} until cleared. */
    @POST
    @Path("/token/fail")
    public Response failToken(@QueryParam("status") String status, @QueryParam("times") String times) {
        return apply(() -> faults.failTokenEndpoint(intOr(status, 503), intOr(times, SandboxFaults.UNTIL_CLEARED)));
    }

    @DELETE
    @Path("/token/fail")
    public Response clearFailToken() {
        faults.clearTokenEndpointFailures();
        return Response.noContent().build();
    }

    /** {@code ?retry_after=30&times=2}; without {@code times} until cleared. */
    @POST
    @Path("/token/rate-limit")
    public Response rateLimit(@QueryParam("retry_after") String retryAfter, @QueryParam("times") String times) {
        return apply(() -> faults.rateLimitTokenEndpoint(intOr(retryAfter, 30), intOr(times, SandboxFaults.UNTIL_CLEARED)));
    }

    @DELETE
    @Path("/token/rate-limit")
    public Response clearRateLimit() {
        faults.clearRateLimit();
        return Response.noContent().build();
    }

    /** {@code ?delay=PT2S} (ISO-8601 duration). */
    @POST
    @Path("/token/delay")
    public Response delay(@QueryParam("delay") String delay) {
        return apply(() -> faults.slowTokenEndpoint(duration(delay)));
    }

    @DELETE
    @Path("/token/delay")
    public Response clearDelay() {
        faults.slowTokenEndpoint(Duration.ZERO);
        return Response.noContent().build();
    }

    /**
     * {@code ?silence=PT45S&times=1}: the next token answers stop mid-answer (status, Content-Length, the first bytes)
     * and stay silent that long, then the connection closes; without {@code times} until cleared.
     */
    @POST
    @Path("/token/stall")
    public Response stall(@QueryParam("silence") String silence, @QueryParam("times") String times) {
        return apply(() -> faults.stallTokenAnswers(silence == null ? Duration.ofSeconds(30) : duration(silence),
                intOr(times, SandboxFaults.UNTIL_CLEARED)));
    }

    @DELETE
    @Path("/token/stall")
    public Response clearStall() {
        faults.clearStalls();
        return Response.noContent().build();
    }

    /**
     * {@code ?kind=EXPIRES_IN_MILLISECONDS&times=1}: the next successful token answers are unusable in that way
     * ({@link SandboxFaults.OddAnswer}: NO_EXPIRY, TOKEN_TYPE, HUGE_EXPIRES_IN, LONG_SCOPE, EXPIRES_IN_MILLISECONDS,
     * ZERO_EXPIRES_IN, NEGATIVE_EXPIRES_IN, CRLF_IN_ACCESS_TOKEN, OVERSIZE_ACCESS_TOKEN, NO_TOKEN_TYPE); the tokens
     * are issued and rotated all the same.
     */
    @POST
    @Path("/token/odd-answer")
    public Response oddAnswer(@QueryParam("kind") String kind, @QueryParam("times") String times) {
        return apply(() -> {
            SandboxFaults.OddAnswer odd;
            try {
                odd = SandboxFaults.OddAnswer.valueOf(String.valueOf(kind).toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("kind must be one of " + java.util.Arrays.toString(
                        SandboxFaults.OddAnswer.values()));
            }
            faults.oddAnswers(odd, intOr(times, 1));
        });
    }

    /** The partner API: {@code ?retry_after=30&times=2} answers 429; without {@code times} until cleared. */
    @POST
    @Path("/api/rate-limit")
    public Response rateLimitApi(@QueryParam("retry_after") String retryAfter, @QueryParam("times") String times) {
        return apply(() -> faults.rateLimitPartnerApi(intOr(retryAfter, 30), intOr(times, SandboxFaults.UNTIL_CLEARED)));
    }

    /** The partner API: {@code ?times=1} answers 401 whatever the token; without {@code times} until cleared. */
    @POST
    @Path("/api/unauthorized")
    public Response unauthorizedApi(@QueryParam("times") String times) {
        return apply(() -> faults.unauthorizedPartnerApi(intOr(times, SandboxFaults.UNTIL_CLEARED)));
    }

    /** The partner API's rate limit: {@code ?per_window=1000&window=PT1M} (0: off, the default). */
    @POST
    @Path("/api/limit")
    public Response limitApi(@QueryParam("per_window") String perWindow, @QueryParam("window") String window) {
        return apply(() -> faults.limitPartnerApi(intOr(perWindow, 1000),
                window == null ? Duration.ofMinutes(1) : duration(window)));
    }

    @POST
    @Path("/clients/{clientId}/reject")
    public Response rejectClient(@PathParam("clientId") String clientId) {
        faults.rejectClient(clientId);
        return Response.noContent().build();
    }

    @DELETE
    @Path("/clients/{clientId}/reject")
    public Response acceptClient(@PathParam("clientId") String clientId) {
        faults.clearRejectedClient(clientId);
        return Response.noContent().build();
    }

    @GET
    @Path("/partners")
    public List<SandboxPartner> partners() {
        return partners.all();
    }

    /**
     * Registers partners: one object or an array of objects
     * {@code {"key", "name", "pax8_partner_id" (optional UUID), "companies" (optional, default 3)}}.
     */
    @POST
    @Path("/partners")
    public Response registerPartners(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body == null ? new byte[0] : body);
        } catch (IOException e) {
            return bad("The body is not valid JSON");
        }
        if (root == null || !(root.isObject() || root.isArray())) {
            return bad("Send a partner object or an array of them");
        }
        List<JsonNode> nodes = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(nodes::add);
        } else {
            nodes.add(root);
        }
        List<SandboxPartner> registered = new ArrayList<>();
        try {
            for (JsonNode n : nodes) {
                registered.add(partners.register(text(n, "key"), text(n, "name"), text(n, "pax8_partner_id"),
                        n.hasNonNull("companies") ? n.get("companies").asInt(-1) : 3));
            }
        } catch (IllegalArgumentException e) {
            return bad(e.getMessage());
        }
        return Response.status(201).entity(registered).build();
    }

    @GET
    @Path("/partners/{key}")
    public Response partner(@PathParam("key") String key) {
        return partners.find(key).map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("partner", p);
            m.put("live_families", grants.liveFamilies(key));
            m.put("refreshes", counters.refreshesForPartner(key));
            return Response.ok(m).build();
        }).orElseGet(() -> Response.status(404).entity(Map.of("error", "unknown partner")).build());
    }

    /** "The partner disconnected the app in Pax8": every family of the partner is revoked. */
    @POST
    @Path("/partners/{key}/revoke")
    public Map<String, Object> revokePartner(@PathParam("key") String key) {
        return Map.of("revoked_families", grants.revokePartner(key));
    }

    /** Every access token of the partner stops working (the partner API answers 401); refresh tokens stay. */
    @POST
    @Path("/partners/{key}/revoke-access-tokens")
    public Map<String, Object> revokeAccessTokens(@PathParam("key") String key) {
        return Map.of("revoked_access_tokens", grants.revokeAccessTokens(key));
    }

    @POST
    @Path("/partners/{key}/invalid-grant")
    public Response invalidGrant(@PathParam("key") String key) {
        faults.invalidGrantForPartner(key);
        return Response.noContent().build();
    }

    @DELETE
    @Path("/partners/{key}/invalid-grant")
    public Response clearInvalidGrant(@PathParam("key") String key) {
        faults.clearInvalidGrantForPartner(key);
        return Response.noContent().build();
    }

    /** Body {@code {"refresh_token": "..."}} (kept out of the URL): the token's family and its refresh count. */
    @POST
    @Path("/families/lookup")
    public Response family(byte[] body) {
        String token;
        try {
            JsonNode root = JSON.readTree(body == null ? new byte[0] : body);
            token = root == null ? null : text(root, "refresh_token");
        } catch (IOException e) {
            return bad("The body is not valid JSON");
        }
        return grants.familyOf(token).map(id -> Response.ok(Map.of("family_id", id,
                "refreshes", counters.refreshes(id))).build())
                .orElseGet(() -> Response.status(404).entity(Map.of("error", "unknown refresh token")).build());
    }

    /**
     * Programmatic consent: body {@code {"client_id", "redirect_uri", "partner", "scope", "audience",
     * "code_challenge"}}; answers {@code {"code"}}.
     */
    @POST
    @Path("/codes")
    public Response issueCode(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body == null ? new byte[0] : body);
            if (n == null || !n.isObject()) {
                return bad("Send a JSON object");
            }
            String code = grants.issueCode(text(n, "client_id"), text(n, "redirect_uri"), text(n, "partner"),
                    text(n, "scope"), text(n, "audience"), text(n, "code_challenge"));
            return Response.status(201).entity(Map.of("code", code)).build();
        } catch (IOException e) {
            return bad("The body is not valid JSON");
        } catch (IllegalArgumentException e) {
            return bad(e.getMessage());
        }
    }

    /** {@code ?by=PT2M}: moves the sandbox's clock forward. */
    @POST
    @Path("/clock/advance")
    public Response advanceClock(@QueryParam("by") String by) {
        return apply(() -> {
            Duration d = duration(by);
            clock.advance(d);
        });
    }

    private Response apply(Runnable r) {
        try {
            r.run();
            return Response.noContent().build();
        } catch (IllegalArgumentException e) {
            return bad(e.getMessage());
        }
    }

    private static Response bad(String message) {
        return Response.status(400).entity(Map.of("error", message == null ? "bad request" : message)).build();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static int intOr(String value, int dflt) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer: a number was expected");
        }
    }

    private static Duration duration(String value) {
        if (value == null) {
            throw new IllegalArgumentException("an ISO-8601 duration is required, e.g. PT2S");
        }
        try {
            Duration d = Duration.parse(value);
            if (d.isNegative()) {
                throw new IllegalArgumentException("the duration must not be negative");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("an ISO-8601 duration is required, e.g. PT2S");
        }
    }
}
