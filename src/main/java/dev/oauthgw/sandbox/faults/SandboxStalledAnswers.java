package dev.oauthgw.sandbox.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.quarkus.arc.profile.IfBuildProfile;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Answers that stop mid-body, as a stuck load balancer or TLS terminator sends them: status, a Content-Length and the
 * first bytes of a JSON body, then silence for a while (a Vert.x timer, no thread held), then the connection closes.
 * Routes on the event loop, ahead of the resources:
 * <ul>
 * <li>the token endpoint, while {@link SandboxFaults#stallTokenAnswers} is switched on (other token calls go on to
 * the resource untouched; a stalled one is not handled: nothing is issued or rotated);</li>
 * <li>{@code GET /sandbox/v1/sandbox-test/stalled-response?status=200&silence=PT30S}: always, for the proxy's and
 * the identity probe's tests (no token needed).</li>
 * </ul>
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxStalledAnswers {

    private static final Logger LOG = Logger.getLogger(SandboxStalledAnswers.class);
    /** What the stalled answer says before it goes silent: a well-formed start of a token answer. */
    static final byte[] FIRST_BYTES = "{\"access_token\":\"eyJ".getBytes(StandardCharsets.US_ASCII);
    /** The length the stalled answer announces: more than it ever sends. */
    static final int ANNOUNCED_LENGTH = 1024;

    private final SandboxFaults faults;

    public SandboxStalledAnswers(SandboxFaults faults) {
        this.faults = faults;
    }

    void route(@Observes Router router) {
        router.post("/sandbox/v1/token").order(-1000).handler(ctx -> {
            Optional<Duration> silence = faults.takeStall();
            if (silence.isEmpty()) {
                ctx.next();
                return;
            }
            LOG.infof("sandbox token endpoint: stalling this answer mid-body for %s (fault switch)", silence.get());
            stall(ctx, 200, silence.get());
        });
        router.get("/sandbox/v1/sandbox-test/stalled-response").order(-1000).handler(ctx -> {
            int status;
            Duration silence;
            try {
                status = Integer.parseInt(ctx.request().params().get("status") == null ? "200"
                        : ctx.request().params().get("status"));
                String s = ctx.request().params().get("silence");
                silence = s == null ? Duration.ofSeconds(30) : Duration.parse(s);
            } catch (RuntimeException e) {
                ctx.response().setStatusCode(400).end("status: 200-599, silence: an ISO-8601 duration");
                return;
            }
            if (status < 200 || status > 599 || silence.isNegative() || silence.compareTo(Duration.ofMinutes(5)) > 0) {
                ctx.response().setStatusCode(400).end("status: 200-599, silence: at most PT5M");
                return;
            }
            stall(ctx, status, silence);
        });
    }

    private static void stall(RoutingContext ctx, int status, Duration silence) {
        HttpServerResponse r = ctx.response();
        r.setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                .putHeader("Content-Length", Integer.toString(ANNOUNCED_LENGTH));
        r.write(Buffer.buffer(FIRST_BYTES));
        ctx.vertx().setTimer(Math.max(1, silence.toMillis()), id -> {
            if (!r.closed()) {
                ctx.request().connection().close();
            }
        });
    }
}
