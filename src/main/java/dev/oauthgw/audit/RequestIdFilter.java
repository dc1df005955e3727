package dev.oauthgw.audit;

import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

/** Takes the caller's X-Request-Id (when sane) or makes one, logs with it and echoes it back. */
public class RequestIdFilter {

    public static final String HEADER = "X-Request-Id";

    @ServerRequestFilter(preMatching = true)
    public void in(ContainerRequestContext ctx) {
        String given = ctx.getHeaderString(HEADER);
        String id = given != null && given.matches("[A-Za-z0-9._:-]{1,64}") ? given : RequestIds.fresh();
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
