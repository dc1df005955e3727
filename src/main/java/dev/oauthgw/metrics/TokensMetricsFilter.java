package dev.oauthgw.metrics;

import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Times every request to {@code /tokens/...} at the HTTP layer, so that answers given before the
 * resource runs (401, 403) are counted too. The outcome is read from the status code.
 */
@ApplicationScoped
public class TokensMetricsFilter {

    private final GatewayMetrics metrics;

    public TokensMetricsFilter(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            String path = rc.normalizedPath();
            if (!path.startsWith("/tokens/")) {
                rc.next();
                return;
            }
            long start = System.nanoTime();
            String kind = path.startsWith("/tokens/vendor/") ? "vendor" : "partner";
            rc.addEndHandler(v -> metrics.tokensRequest(kind, outcome(rc.response().getStatusCode()),
                    System.nanoTime() - start));
            rc.next();
        }, 50);
    }

    static String outcome(int status) {
        return switch (status) {
            case 200 -> "served";
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 409 -> "reauth_required";
            case 503 -> "unavailable";
            default -> status >= 500 ? "error" : "other";
        };
    }
}
