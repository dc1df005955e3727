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
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
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
 * Pax8's companies: {@code GET /sandbox/v1/companies?page=0&size=10}, {@code GET .../{companyId}} and
 * {@code PUT .../{companyId}} (a write). Only a live delegated
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

    @Inject
    SandboxPartnerApi api;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response companies(@Context HttpHeaders headers, @QueryParam("page") String pageParam,
            @QueryParam("size") String sizeParam) {
        counters.call(SandboxCounters.Endpoint.COMPANIES);
        String path = "/v1/companies";
        SandboxPartnerApi.Entry e = api.enter(path, headers);
        if (e.refused()) {
            return e.refusal();
        }
        SandboxPartner p = e.partner();
        return SandboxPartnerApi.page(path, pageParam, sizeParam, p.companies(), i -> company(p, i));
    }

    /** One company by id ({@code GET /v1/companies/{companyId}}); 404 when it is not this partner's. */
    @GET
    @Path("/{companyId}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response company(@Context HttpHeaders headers, @PathParam("companyId") String companyId) {
        counters.call(SandboxCounters.Endpoint.COMPANIES);
        String path = "/v1/companies/" + companyId;
        SandboxPartnerApi.Entry e = api.enter(path, headers);
        if (e.refused()) {
            return e.refusal();
        }
        return find(e.partner(), companyId).map(c -> Response.ok(c, MediaType.APPLICATION_JSON_TYPE).build())
                .orElseGet(() -> SandboxPartnerApi.notFound(path));
    }

    /**
     * Updates a company ({@code PUT /v1/companies/{companyId}}, a write): the sandbox keeps no state, so it answers the
     * company with the fields sent applied (name, phone, website, status...), as Pax8 answers the updated company.
     */
    @PUT
    @Path("/{companyId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response update(@Context HttpHeaders headers, @PathParam("companyId") String companyId,
            Map<String, Object> changes) {
        counters.call(SandboxCounters.Endpoint.COMPANIES);
        String path = "/v1/companies/" + companyId;
        SandboxPartnerApi.Entry e = api.enter(path, headers);
        if (e.refused()) {
            return e.refusal();
        }
        Optional<Map<String, Object>> c = find(e.partner(), companyId);
        if (c.isEmpty()) {
            return SandboxPartnerApi.notFound(path);
        }
        if (changes == null || changes.containsKey("id")) {
            return SandboxPartnerApi.problem(400, "Bad Request", path, "a JSON object without 'id' is required").build();
        }
        Map<String, Object> updated = new LinkedHashMap<>(c.get());
        changes.forEach((k, v) -> {
            if (updated.containsKey(k)) {
                updated.put(k, v);
            }
        });
        updated.put("updatedDate", UPDATED.format(Instant.now()));
        return Response.ok(updated, MediaType.APPLICATION_JSON_TYPE).build();
    }

    static Optional<Map<String, Object>> find(SandboxPartner p, String companyId) {
        for (int i = 0; i < p.companies(); i++) {
            Map<String, Object> c = company(p, i);
            if (c.get("id").equals(companyId)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
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
}
