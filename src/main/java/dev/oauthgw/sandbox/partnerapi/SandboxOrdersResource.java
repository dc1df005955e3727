package dev.oauthgw.sandbox.partnerapi;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.oauthgw.sandbox.authserver.SandboxPartner;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * Pax8's orders: {@code GET /sandbox/v1/orders} (paged), {@code GET /sandbox/v1/orders/{orderId}} and the write
 * endpoint {@code POST /sandbox/v1/orders} ({@code {companyId, lineItems: [{productId, quantity, billingTerm,
 * lineItemNumber, provisionStartDate?}]}}; answers the order with its ids). Orders placed are kept in memory per
 * partner until the sandbox is reset (a restart).
 */
@Path("/sandbox/v1/orders")
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxOrdersResource {

    private final Map<String, List<Map<String, Object>>> placed = new ConcurrentHashMap<>();

    @Inject
    SandboxPartnerApi api;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response orders(@Context HttpHeaders headers, @QueryParam("page") String page,
            @QueryParam("size") String size) {
        SandboxPartnerApi.Entry e = api.enter("/v1/orders", headers);
        if (e.refused()) {
            return e.refusal();
        }
        List<Map<String, Object>> all = of(e.partner());
        return SandboxPartnerApi.page("/v1/orders", page, size, all.size(), all::get);
    }

    @GET
    @Path("/{orderId}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response order(@Context HttpHeaders headers, @PathParam("orderId") String orderId) {
        String path = "/v1/orders/" + orderId;
        SandboxPartnerApi.Entry e = api.enter(path, headers);
        if (e.refused()) {
            return e.refusal();
        }
        return of(e.partner()).stream().filter(o -> o.get("id").equals(orderId)).findFirst()
                .map(o -> Response.ok(o, MediaType.APPLICATION_JSON_TYPE).build())
                .orElseGet(() -> SandboxPartnerApi.notFound(path));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response place(@Context HttpHeaders headers, Map<String, Object> order) {
        SandboxPartnerApi.Entry e = api.enter("/v1/orders", headers);
        if (e.refused()) {
            return e.refusal();
        }
        SandboxPartner p = e.partner();
        Object companyId = order == null ? null : order.get("companyId");
        if (!(companyId instanceof String c) || SandboxCompaniesResource.find(p, c).isEmpty()) {
            return SandboxPartnerApi.problem(422, "Unprocessable Entity", "/v1/orders",
                    "companyId must name one of the partner's companies").build();
        }
        if (!(order.get("lineItems") instanceof List<?> items) || items.isEmpty()) {
            return SandboxPartnerApi.problem(422, "Unprocessable Entity", "/v1/orders",
                    "lineItems must list at least one line item").build();
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", UUID.randomUUID().toString());
        o.put("companyId", c);
        o.put("createdDate", Instant.now().toString());
        o.put("orderedBy", "Pax8 Partner");
        o.put("orderedByUserEmail", null);
        o.put("isScheduled", false);
        List<Map<String, Object>> lines = new ArrayList<>();
        int n = 0;
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> li) || !(li.get("productId") instanceof String)
                    || !(li.get("quantity") instanceof Number q) || q.intValue() < 1) {
                return SandboxPartnerApi.problem(422, "Unprocessable Entity", "/v1/orders",
                        "each line item needs a productId and a quantity >= 1").build();
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("id", UUID.nameUUIDFromBytes((o.get("id") + ":" + n).getBytes(StandardCharsets.UTF_8)).toString());
            line.put("productId", li.get("productId"));
            line.put("subscriptionId", null);
            line.put("commitmentTermId", null);
            line.put("provisionStartDate", li.get("provisionStartDate"));
            line.put("lineItemNumber", li.get("lineItemNumber") == null ? n + 1 : li.get("lineItemNumber"));
            line.put("billingTerm", li.get("billingTerm") == null ? "Monthly" : li.get("billingTerm"));
            line.put("quantity", q.intValue());
            lines.add(line);
            n++;
        }
        o.put("lineItems", lines);
        placed.computeIfAbsent(p.key(), k -> new CopyOnWriteArrayList<>()).add(o);
        return Response.ok(o, MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** Forgets the orders placed (the sandbox's reset). */
    public void reset() {
        placed.clear();
    }

    private List<Map<String, Object>> of(SandboxPartner p) {
        return List.copyOf(placed.getOrDefault(p.key(), List.of()));
    }
}
