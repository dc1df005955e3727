package dev.oauthgw.sandbox.partnerapi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.oauthgw.sandbox.authserver.Audiences;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartner;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * What every endpoint of the sandbox partner API does first, as Pax8's API does: count the call, apply the rate limit
 * (429 with Retry-After past the limit per window, or when a fault says so), and let only a live delegated access
 * token for {@code https://api.pax8.com} in (401 otherwise, also for a token revoked or rotated away); then Pax8's
 * paging ({@code page} from 0, {@code size} up to 200; {@code content} + {@code page{size, totalElements, totalPages,
 * number}}) and its error body ({@code type, message, instance, status, details}).
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxPartnerApi {

    static final int MAX_SIZE = 200;

    @Inject
    SandboxGrants grants;
    @Inject
    SandboxPartners partners;
    @Inject
    SandboxCounters counters;
    @Inject
    SandboxFaults faults;

    /** The partner behind the call's token, or the answer to give instead. */
    public record Entry(SandboxPartner partner, Response refusal) {
        boolean refused() {
            return refusal != null;
        }
    }

    public Entry enter(String instance, HttpHeaders headers) {
        Instant now = Instant.now();
        Duration window = faults.partnerApiWindow();
        long inWindow = counters.partnerApiCall(now, window);
        String authorization = headers.getHeaderString(HttpHeaders.AUTHORIZATION);
        Optional<SandboxGrants.AccessTokenInfo> token = bearer(authorization).flatMap(grants::liveAccessToken);
        counters.apiHeaders(seen(headers, token.isPresent()));
        Optional<Integer> limited = faults.takePartnerApiRateLimit();
        int limit = faults.partnerApiLimit();
        if (limited.isEmpty() && limit > 0 && inWindow > limit) {
            long w = window.toMillis();
            long untilEnd = (Math.floorDiv(now.toEpochMilli(), w) + 1) * w - now.toEpochMilli();
            limited = Optional.of((int) Math.max(1, (untilEnd + 999) / 1000));
        }
        if (limited.isPresent()) {
            return new Entry(null, problem(429, "Too Many Requests", instance, "Rate limit exceeded")
                    .header(HttpHeaders.RETRY_AFTER, limited.get()).build());
        }
        if (faults.takePartnerApiUnauthorized().isPresent() || token.isEmpty() || !token.get().delegated()
                || !Audiences.PARTNER_API.equals(token.get().audience())) {
            return new Entry(null, unauthorized(instance, "A valid access token for https://api.pax8.com is required"));
        }
        Optional<SandboxPartner> partner = partners.find(token.get().partnerKey());
        if (partner.isEmpty()) {
            return new Entry(null, unauthorized(instance, "The partner behind this token is gone"));
        }
        return new Entry(partner.get(), null);
    }

    /** One page of {@code total} items, the i-th made by {@code item}; 400 for a bad page or size. */
    static Response page(String instance, String pageParam, String sizeParam, int total,
            IntFunction<Map<String, Object>> item) {
        Integer page = intParam(pageParam, 0);
        Integer size = intParam(sizeParam, 10);
        if (page == null || page < 0) {
            return problem(400, "Bad Request", instance, "page must be an integer >= 0").build();
        }
        if (size == null || size < 1 || size > MAX_SIZE) {
            return problem(400, "Bad Request", instance, "size must be an integer between 1 and " + MAX_SIZE).build();
        }
        List<Map<String, Object>> content = new ArrayList<>();
        long from = (long) page * size;
        for (long i = from; i < Math.min(total, from + size); i++) {
            content.add(item.apply((int) i));
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

    static Response unauthorized(String instance, String detail) {
        return problem(401, "Unauthorized", instance, detail)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sandbox\"").build();
    }

    static Response notFound(String instance) {
        return problem(404, "Not Found", instance, "No such resource for this partner").build();
    }

    /** Pax8's error body: {@code {type, message, instance, status, details}}. */
    static Response.ResponseBuilder problem(int status, String message, String instance, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", message);
        body.put("message", message);
        body.put("instance", instance);
        body.put("status", status);
        body.put("details", List.of(detail));
        return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON_TYPE);
    }

    static Integer intParam(String value, int dflt) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Optional<String> bearer(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        return parts.length == 2 && parts[0].equalsIgnoreCase("Bearer") ? Optional.of(parts[1].trim()) : Optional.empty();
    }

    /** The headers as received, names in lower case; the bearer token itself is never kept, only whether it was valid. */
    private static Map<String, List<String>> seen(HttpHeaders headers, boolean validToken) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        headers.getRequestHeaders().forEach((name, values) -> {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals("authorization")) {
                m.put(n, List.of(validToken ? "Bearer (a live access token)" : "(not a live access token)"));
            } else {
                m.put(n, List.copyOf(values));
            }
        });
        return m;
    }
}
