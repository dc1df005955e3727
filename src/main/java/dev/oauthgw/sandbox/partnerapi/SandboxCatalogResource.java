package dev.oauthgw.sandbox.partnerapi;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.oauthgw.sandbox.authserver.SandboxPartner;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * Pax8's product catalogue, read-only and generated deterministically (no state): {@code GET /sandbox/v1/products}
 * (the same for every partner), with Pax8's paging. Subscriptions ({@link SandboxSubscriptionsResource}) refer to it.
 */
@Path("/sandbox/v1/products")
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxCatalogResource {

    static final int PRODUCTS = 42;
    private static final String[][] VENDORS = { { "Microsoft", "Microsoft 365 Business Premium" },
            { "Acronis", "Acronis Cyber Protect Cloud" }, { "Google", "Google Workspace Business Standard" },
            { "Dropbox", "Dropbox Business Advanced" }, { "Keeper", "Keeper Business" },
            { "SentinelOne", "Singularity Complete" } };
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");

    @Inject
    SandboxPartnerApi api;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response products(@Context HttpHeaders headers, @QueryParam("page") String page,
            @QueryParam("size") String size) {
        SandboxPartnerApi.Entry e = api.enter("/v1/products", headers);
        return e.refused() ? e.refusal()
                : SandboxPartnerApi.page("/v1/products", page, size, PRODUCTS, SandboxCatalogResource::product);
    }

    /** The i-th product of the catalogue. */
    static Map<String, Object> product(int i) {
        String[] v = VENDORS[i % VENDORS.length];
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", productId(i));
        m.put("name", v[1] + (i < VENDORS.length ? "" : " (" + (i / VENDORS.length + 1) + ")"));
        m.put("vendorName", v[0]);
        m.put("shortDescription", "Sandbox product " + (i + 1));
        m.put("sku", "SBX-" + String.format("%04d", i + 1));
        m.put("vendorSku", v[0].toUpperCase(java.util.Locale.ROOT).substring(0, 3) + "-" + (1000 + i));
        m.put("altVendorSku", null);
        m.put("requiresCommitment", i % 3 == 0);
        m.put("updatedDate", DATE.format(EPOCH.plusSeconds(86_400L * i)) + "T00:00:00.000Z");
        return m;
    }

    static String productId(int i) {
        return UUID.nameUUIDFromBytes(("product:" + i).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The i-th subscription of a partner: company i/2, product i % catalogue. */
    static Map<String, Object> subscription(SandboxPartner p, int i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", UUID.nameUUIDFromBytes((p.pax8PartnerId() + ":subscription:" + i).getBytes(StandardCharsets.UTF_8))
                .toString());
        m.put("partnerId", p.pax8PartnerId());
        m.put("companyId", SandboxCompaniesResource.company(p, i / 2).get("id"));
        m.put("productId", productId(i % PRODUCTS));
        m.put("quantity", 5 + (i % 20));
        m.put("startDate", DATE.format(EPOCH.plusSeconds(86_400L * i)));
        m.put("endDate", null);
        m.put("createdDate", DATE.format(EPOCH.plusSeconds(86_400L * i)));
        m.put("billingStart", DATE.format(EPOCH.plusSeconds(86_400L * i)));
        m.put("status", i % 7 == 6 ? "Cancelled" : "Active");
        m.put("price", 12.5 + i % 10);
        m.put("billingTerm", i % 2 == 0 ? "Monthly" : "Annual");
        m.put("commitment", List.of());
        return m;
    }
}
