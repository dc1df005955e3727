package dev.oauthgw.common;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import sun.misc.Signal;

/**
 * SIGTERM (what Kubernetes, systemd and docker stop send) is an orderly stop, not a failure: the packaged application
 * runs the same graceful shutdown as ever (readiness DOWN, quarkus.shutdown.delay, requests in flight finish,
 * refreshes finish, the token access records are written; the JVM's shutdown hooks) and then exits 0 instead of the
 * JVM's 143. Dev mode and tests keep the JVM's own handling.
 */
@ApplicationScoped
public class OrderlyStop {

    void install(@Observes StartupEvent e) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        Signal.handle(new Signal("TERM"), signal -> {
            Thread exit = new Thread(() -> System.exit(0), "sigterm-exit");
            exit.start();
        });
    }
}
