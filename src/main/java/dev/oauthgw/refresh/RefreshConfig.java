package dev.oauthgw.refresh;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Refresh bookkeeping shared by the inline path (GET /tokens) and the scheduler. */
@ConfigMapping(prefix = "gateway.refresh")
public interface RefreshConfig {

    /** First retry delay after a transient failure; doubles with each failure. */
    @WithDefault("PT30S")
    Duration backoffInitial();

    /** Longest retry delay. */
    @WithDefault("PT30M")
    Duration backoffMax();
}
