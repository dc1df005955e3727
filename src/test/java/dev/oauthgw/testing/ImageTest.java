package dev.oauthgw.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test of the container image tarball (target/image/pax8-oauth-gateway-image.tar) that verify builds with Jib when
 * the Debian-made base exists (profile image-tarball, ADR 0017): tagged {@value #TAG}. Runs in the integration-test
 * phase (failsafe, *IT). Without the tarball it is reported as skipped, with the reason; .ci/run fails the run when
 * these tests did not run (it makes the base first). Leave them out with {@code -DexcludedGroups=image}. The image
 * runs against a database of its own, as the packaged-jar tests do ({@link JarDatabases}).
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Tag(ImageTest.TAG)
@ExtendWith(JarDatabases.class)
public @interface ImageTest {

    String TAG = "image";
}
