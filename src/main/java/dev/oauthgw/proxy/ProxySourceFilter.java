package dev.oauthgw.proxy;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

/**
 * Every answer under {@code /proxy} says who gave it ({@value ProxyHeaders#SOURCE}): the provider's answers are
 * marked by the resource; anything else (the caller refused, the budget spent, a timeout) is the gateway's.
 */
public class ProxySourceFilter {

    @ServerResponseFilter
    public void source(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getUriInfo().getPath().startsWith("/proxy/")
                && !response.getHeaders().containsKey(ProxyHeaders.SOURCE)) {
            response.getHeaders().putSingle(ProxyHeaders.SOURCE, "gateway");
        }
    }
}
