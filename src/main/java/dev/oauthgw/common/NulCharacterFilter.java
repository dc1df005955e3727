package dev.oauthgw.common;

import java.util.List;
import java.util.Map;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

/**
 * A NUL character ({@code %00}) in a path or query parameter of the APIs and the dashboard's grant pages is refused
 * with 400 before the resource sees it: PostgreSQL cannot store or compare it in text and fails the whole statement,
 * which used to surface as a 500 on every endpoint that looks a value up (partners, grants, tokens). No legitimate
 * identifier carries one. The onboarding pages and the sign-in page check their values before any lookup and
 * answer with their own pages, so they are left to do that.
 */
public class NulCharacterFilter {

    private static final List<String> LOOKUP_PATHS = List.of("/tokens/", "/caller", "/admin/", "/ops/grants");

    @ServerRequestFilter
    public void refuseNul(UriInfo uri) {
        String path = uri.getPath();
        if (LOOKUP_PATHS.stream().noneMatch(path::startsWith)) {
            return;
        }
        if (hasNul(uri.getPathParameters()) || hasNul(uri.getQueryParameters())) {
            throw GatewayException.badRequest("The request contains a NUL character.");
        }
    }

    private static boolean hasNul(MultivaluedMap<String, String> params) {
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            if (e.getKey().indexOf('\0') >= 0) {
                return true;
            }
            for (String v : e.getValue()) {
                if (v != null && v.indexOf('\0') >= 0) {
                    return true;
                }
            }
        }
        return false;
    }
}
