package dev.oauthgw.audit;

import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

/**
 * Takes the caller's X-Request-Id (when sane) or makes one, logs with it and echoes it back. The id is set by an
 * HTTP filter that runs before everything else on the request (sign-in, security checks, REST), so every line logged
 * while serving the request carries it (MDC {@code request_id}; in prod the JSON log lines have it under "mdc").
 * Each request has its own Vert.x context, where Quarkus keeps the MDC, and the id is removed when the response
 * ends: nothing carries over to another request.
 */
@ApplicationScoped
public class RequestIdFilter {

    public static final String HEADER = "X-Request-Id";

    /** Before the other HTTP filters and the security handlers. */
    private static final int PRIORITY = 10_000;

    void register(@Observes Filters filters) {
        filters.register(this::onRequest, PRIORITY);
    }

    void onRequest(RoutingContext rc) {
        String id = accept(rc.request().getHeader(HEADER));
        rc.put(RequestIds.MDC_KEY, id);
        MDC.put(RequestIds.MDC_KEY, id);
        rc.addHeadersEndHandler(v -> rc.response().headers().set(HEADER, id));
        rc.addEndHandler(v -> MDC.remove(RequestIds.MDC_KEY));
        rc.next();
    }

    static String accept(String given) {
        return given != null && given.matches("[A-Za-z0-9._:-]{1,64}") ? given : RequestIds.fresh();
    }

    /** REST: the id of the HTTP filter (the MDC again, in case the resource runs where it is not visible). */
    @ServerRequestFilter(preMatching = true)
    public void in(ContainerRequestContext ctx, RoutingContext rc) {
        Object fromHttp = rc == null ? null : rc.get(RequestIds.MDC_KEY);
        String id = fromHttp != null ? fromHttp.toString() : accept(ctx.getHeaderString(HEADER));
        MDC.put(RequestIds.MDC_KEY, id);
        ctx.setProperty(RequestIds.MDC_KEY, id);
    }

    @ServerResponseFilter
    public void out(ContainerRequestContext req, ContainerResponseContext res) {
        Object id = req.getProperty(RequestIds.MDC_KEY);
        if (id != null) {
            res.getHeaders().putSingle(HEADER, id.toString());
        }
        MDC.remove(RequestIds.MDC_KEY);
    }
}
