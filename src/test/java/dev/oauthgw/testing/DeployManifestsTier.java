package dev.oauthgw.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test that renders the Kubernetes manifests (deploy/kubernetes) with {@code kubectl kustomize}: tagged
 * {@value #TAG}. It needs kubectl on the PATH (bash .ci/run installs it) and fails without it; leave it out with
 * {@code -DexcludedGroups=deploy}.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Tag(DeployManifestsTier.TAG)
public @interface DeployManifestsTier {

    String TAG = "deploy";
}
