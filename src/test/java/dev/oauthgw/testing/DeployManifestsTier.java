package dev.oauthgw.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test that renders the Kubernetes manifests (deploy/kubernetes) with {@code kubectl kustomize}: tagged
 * {@value #TAG}. It needs kubectl on the PATH: the build installs Debian's kubernetes-client where it may (as root
 * with apt-get); elsewhere the test is skipped with the reason, and bash .ci/run fails a run in which it was. Leave it
 * out with {@code -DexcludedGroups=deploy}.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Tag(DeployManifestsTier.TAG)
public @interface DeployManifestsTier {

    String TAG = "deploy";
}
