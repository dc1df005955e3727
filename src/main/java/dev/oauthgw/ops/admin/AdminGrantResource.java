package dev.oauthgw.ops.admin;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.oauthgw.ops.admin.GrantQueryService.Filter;
import dev.oauthgw.ops.admin.GrantQueryService.GrantPage;
import dev.oauthgw.ops.admin.GrantQueryService.Query;
import dev.oauthgw.common.GatewayException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The grants table of the dashboard as JSON (role {@code ops}): soonest expiry first, filters, keyset pages. */
@Path("/admin/grants")
@RolesAllowed("ops")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Admin: partners and grants")
@SecurityRequirement(name = "jwt")
public class AdminGrantResource {

    private final GrantQueryService query;

    public AdminGrantResource(GrantQueryService query) {
        this.query = query;
    }

    @GET
    @Operation(summary = "List grants, soonest access-token expiry first", description = "filter: all, expiring "
            + "(within an ISO-8601 duration, default the dashboard's expiring-soon window), failing, reauth, revoked; "
            + "q: partner id or display-name prefix; after: the next_cursor of the previous page.")
    public GrantPage list(@QueryParam("filter") String filter, @QueryParam("within") String within,
            @QueryParam("q") String q, @QueryParam("after") String after,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(200) int size) {
        java.time.Duration w = null;
        if (within != null && !within.isBlank()) {
            try {
                w = java.time.Duration.parse(within.strip());
            } catch (RuntimeException e) {
                throw GatewayException.badRequest("within must be an ISO-8601 duration such as PT6H.");
            }
            if (w.isNegative() || w.compareTo(java.time.Duration.ofDays(3650)) > 0) {
                // the dashboard refuses these too: a negative window selects nothing, a huge one overflows
                throw GatewayException.badRequest("within must be between PT0S and P3650D.");
            }
        }
        return query.list(new Query(Filter.parse(filter), w, q, after, size));
    }

    @GET
    @Path("/counts")
    @Operation(summary = "Grants by state, and how many expire soon")
    public GrantQueryService.Counts counts() {
        return query.counts();
    }
}
