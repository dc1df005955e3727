package dev.oauthgw.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test of the packaged application (target/quarkus-app/quarkus-run.jar, started by @QuarkusIntegrationTest or
 * {@code ProdConfig.launch}): tagged {@value #TAG}. These run in Maven's integration-test phase (failsafe, *IT
 * classes), after the jar is built; leave them out with {@code -DexcludedGroups=packaged}.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Tag(PackagedJarTest.TAG)
public @interface PackagedJarTest {

    String TAG = "packaged";
}
