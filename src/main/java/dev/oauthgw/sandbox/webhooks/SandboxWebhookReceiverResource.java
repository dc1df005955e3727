package dev.oauthgw.sandbox.webhooks;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.profile.IfBuildProfile;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The HTTP face of {@link SandboxWebhookReceiver} (dev and test builds only): the gateway's webhooks are
 * pointed here in dev mode and tests. {@code GET} lists what arrived (newest last), {@code DELETE} forgets it.
 */
@Path("/sandbox/webhook-receiver")
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxWebhookReceiverResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    SandboxWebhookReceiver receiver;

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response receive(byte[] body, @Context HttpHeaders headers) {
        Map<String, String> h = new HashMap<>();
        headers.getRequestHeaders().forEach((k, v) -> {
            if (!v.isEmpty()) {
                h.put(k.toLowerCase(Locale.ROOT), v.get(0));
            }
        });
        SandboxWebhookReceiver.Answer a = receiver.receive(h, body == null ? new byte[0] : body);
        Response.ResponseBuilder rb = Response.status(a.status());
        if (a.retryAfter() != null) {
            rb.header(HttpHeaders.RETRY_AFTER, a.retryAfter().toSeconds());
        }
        return rb.build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> list() {
        return receiver.deliveries().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("received_at", d.receivedAt().toString());
            m.put("event_id", d.eventId());
            m.put("event_type", d.header("X-Gateway-Event-Type"));
            m.put("attempt", d.header("X-Gateway-Delivery-Attempt"));
            m.put("answered", d.answeredStatus());
            m.put("signature_valid", d.signatureValid());
            try {
                m.put("body", JSON.readTree(d.body()));
            } catch (java.io.IOException e) {
                m.put("body", d.bodyText());
            }
            return m;
        }).toList();
    }

    @DELETE
    public Response reset() {
        receiver.reset();
        return Response.noContent().build();
    }
}
