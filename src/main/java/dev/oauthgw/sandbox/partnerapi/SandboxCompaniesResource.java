package dev.oauthgw.sandbox.partnerapi;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.oauthgw.sandbox.authserver.Audiences;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartner;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * A sample of the Pax8 partner API: {@code GET /sandbox/v1/companies?page=0&size=10}. Only a live delegated
 * access token for {@code https://api.pax8.com} gets in (the sandbox authorization server says which are
 * live); it serves the companies of the partner behind the token, generated deterministically from the
 * partner. It keeps no state of its own.
 */
@Path("/sandbox/v1/companies")
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxCompaniesResource {

    static final int MAX_SIZE = 200;
    private static final String[][] CITIES = { { "Denver", "US" }, { "London", "GB" }, { "Sydney", "AU" },
            { "Toronto", "CA" }, { "Amsterdam", "NL" }, { "Austin", "US" }, { "Dublin", "IE" } };
    private static final DateTimeFormatter UPDATED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Instant EPOCH = Instant.parse("2024-01-01T09:00:00Z");

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxPartners partners;

    @Inject
    SandboxCounters counters;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response companies(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("page") String pageParam, @QueryParam("size") String sizeParam) {
        counters.call(SandboxCounters.Endpoint.COMPANIES);
        String path = "/v1/companies";
        Optional<SandboxGrants.AccessTokenInfo> token = bearer(authorization).flatMap(grants::liveAccessToken);
        if (token.isEmpty() || !token.get().delegated()
                || !Audiences.PARTNER_API.equals(token.get().audience())) {
            return problem(401, "Unauthorized", path, "A valid access token for https://api.pax8.com is required")
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sandbox\"").build();
        }
        Optional<SandboxPartner> partner = partners.find(token.get().partnerKey());
        if (partner.isEmpty()) {
            return problem(401, "Unauthorized", path, "The partner behind this token is gone").build();
        }
        Integer page = intParam(pageParam, 0);
        Integer size = intParam(sizeParam, 10);
        if (page == null || page < 0) {
            return problem(400, "Bad Request", path, "page must be an integer >= 0").build();
        }
        if (size == null || size < 1 || size > MAX_SIZE) {
            return problem(400, "Bad Request", path, "size must be an integer between 1 and " + MAX_SIZE).build();
        }
        SandboxPartner p = partner.get();
        int total = p.companies();
        List<Map<String, Object>> content = new ArrayList<>();
        long from = (long) page * size;
        for (long i = from; i < Math.min(total, from + size); i++) {
            content.add(company(p, (int) i));
        }
        Map<String, Object> pageInfo = new LinkedHashMap<>();
        pageInfo.put("size", size);
        pageInfo.put("totalElements", total);
        pageInfo.put("totalPages", (total + size - 1) / size);
        pageInfo.put("number", page);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("content", content);
        body.put("page", pageInfo);
        return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** The i-th company (from 0) of a partner: same partner, same index, same company. */
    static Map<String, Object> company(SandboxPartner p, int i) {
        String[] city = CITIES[Math.floorMod(p.key().hashCode() + i, CITIES.length)];
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", UUID.nameUUIDFromBytes((p.pax8PartnerId() + ":company:" + i).getBytes(StandardCharsets.UTF_8))
                .toString());
        c.put("name", p.name() + " Client " + (i + 1));
        c.put("city", city[0]);
        c.put("country", city[1]);
        c.put("phone", String.format("+1-555-%04d", (Math.abs(p.key().hashCode()) + i) % 10_000));
        c.put("website", "https://client-" + (i + 1) + "." + p.key().toLowerCase(java.util.Locale.ROOT) + ".example");
        c.put("status", "Active");
        c.put("billOnBehalfOfEnabled", i % 2 == 0);
        c.put("selfServiceAllowed", i % 3 == 0);
        c.put("orderApprovalRequired", i % 4 == 1);
        c.put("updatedDate", UPDATED.format(EPOCH.plusSeconds(86_400L * i)));
        return c;
    }

    /** Pax8's error body: {@code {type, message, instance, status, details}}. */
    static Response.ResponseBuilder problem(int status, String message, String instance, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", status == 401 ? "Unauthorized" : "Bad Request");
        body.put("message", message);
        body.put("instance", instance);
        body.put("status", status);
        body.put("details", List.of(detail));
        return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON_TYPE);
    }

    private static Optional<String> bearer(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        return parts.length == 2 && parts[0].equalsIgnoreCase("Bearer") ? Optional.of(parts[1].trim()) : Optional.empty();
    }

    private static Integer intParam(String value, int dflt) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
