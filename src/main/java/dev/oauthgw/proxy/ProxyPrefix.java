package dev.oauthgw.proxy;

import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The proxy's path prefix ({@code gateway.proxy.prefix}, default {@code proxy}). The resource lives at
 * {@code /proxy}; with another prefix, {@code /<prefix>/...} is routed there unchanged (the raw path and query as
 * sent, so the target checks see what the caller sent) and {@code /proxy/...} itself is not found.
 */
@ApplicationScoped
public class ProxyPrefix {

    static final String INTERNAL = "proxy";
    private static final String REROUTED = "gateway.proxy.rerouted";

    void register(@Observes Filters filters, ProxyConfig config) {
        String prefix = config.prefix().replaceAll("^/+|/+$", "");
        if (prefix.equals(INTERNAL) || prefix.isEmpty()) {
            return;
        }
        String external = "/" + prefix + "/";
        filters.register(ctx -> {
            String uri = ctx.request().uri();
            if (uri.startsWith(external)) {
                ctx.put(REROUTED, Boolean.TRUE);
                ctx.reroute("/" + INTERNAL + "/" + uri.substring(external.length()));
            } else if (uri.startsWith("/" + INTERNAL + "/") && ctx.get(REROUTED) == null) {
                ctx.response().setStatusCode(404).end();
            } else {
                ctx.next();
            }
        }, 200);
    }
}
