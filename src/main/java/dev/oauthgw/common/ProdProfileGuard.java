package dev.oauthgw.common;

import java.util.List;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;

/**
 * The packaged application runs in the prod profile only. Started with {@code QUARKUS_PROFILE=dev} or {@code test},
 * the jar would switch its own safety checks off (known dashboard password and session key, no JWT key check,
 * throwaway keys) and, with {@code test}, clean the database at start. So it refuses to start.
 * <p>
 * A config source factory, not a startup bean: it runs while the configuration is built, before Flyway or
 * anything else touches the database. "Packaged" is the launch mode: {@code java -jar} (and {@code quarkus:run})
 * run in {@link LaunchMode#NORMAL}/{@link LaunchMode#RUN}; dev mode and tests have their own modes and are left
 * alone. It contributes no configuration.
 */
public final class ProdProfileGuard implements ConfigSourceFactory {

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        refuseOtherProfiles(LaunchMode.current(), context.getProfiles());
        return List.of();
    }

    /** Throws when a packaged application is about to run with a profile other than prod. */
    static void refuseOtherProfiles(LaunchMode mode, List<String> profiles) {
        if (mode.isDevOrTest() || profiles.isEmpty()) {
            // dev mode and tests; an empty list is plain SmallRye Config outside Quarkus (Quarkus always has one)
            return;
        }
        boolean onlyProd = profiles.contains("prod") && !profiles.contains("dev") && !profiles.contains("test");
        if (!onlyProd) {
            throw new IllegalStateException("This is the packaged (prod) build of the gateway: it runs with the prod "
                    + "profile only, and the active profile is " + String.join(",", profiles) + ". The dev and test "
                    + "profiles switch off its safety checks (and test cleans the database). Unset QUARKUS_PROFILE "
                    + "(or quarkus.profile) to run it in prod; use ./mvnw quarkus:dev for dev mode.");
        }
    }
}
