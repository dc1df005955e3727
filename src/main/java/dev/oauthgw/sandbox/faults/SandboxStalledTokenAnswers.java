package dev.oauthgw.sandbox.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.quarkus.arc.profile.IfBuildProfile;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The sandbox token endpoint's stall mid-answer ({@link SandboxFaults#stallTokenAnswers}): a route on the event loop,
 * ahead of the token resource, that answers 200 with a Content-Length and the first bytes of a JSON body, then stays
 * silent for the configured time (a Vert.x timer, no thread held) and closes the connection. Token calls with no
 * stall planned go on to the resource untouched.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxStalledTokenAnswers {

    private static final Logger LOG = Logger.getLogger(SandboxStalledTokenAnswers.class);
    /** What the stalled answer says before it goes silent: a well-formed start of a token answer. */
    static final byte[] FIRST_BYTES = "{\"access_token\":\"eyJ".getBytes(StandardCharsets.US_ASCII);
    /** The length the stalled answer announces: more than it ever sends. */
    static final int ANNOUNCED_LENGTH = 1024;

    private final SandboxFaults faults;

    public SandboxStalledTokenAnswers(SandboxFaults faults) {
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
            HttpServerResponse r = ctx.response();
            r.setStatusCode(200).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                    .putHeader("Content-Length", Integer.toString(ANNOUNCED_LENGTH));
            r.write(io.vertx.core.buffer.Buffer.buffer(FIRST_BYTES));
            ctx.vertx().setTimer(silence.get().toMillis(), id -> {
                if (!r.closed()) {
                    ctx.request().connection().close();
                }
            });
        });
    }
}
