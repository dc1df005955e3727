package dev.oauthgw.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test of the packaged application (target/quarkus-app/quarkus-run.jar, started by @QuarkusIntegrationTest or
 * {@code ProdConfig.launch}): tagged {@value #TAG}. These run in Maven's integration-test phase (failsafe, *IT
 * classes), after the jar is built; leave them out with {@code -DexcludedGroups=packaged}.
 * <p>
 * Each such class gets databases of its own ({@link JarDatabases}): {@code ProdConfig.env()} creates a fresh one per
 * call, and they are dropped after the class. No jar meets rows another test left.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Tag(PackagedJarTest.TAG)
@ExtendWith(JarDatabases.class)
public @interface PackagedJarTest {

    String TAG = "packaged";
}
