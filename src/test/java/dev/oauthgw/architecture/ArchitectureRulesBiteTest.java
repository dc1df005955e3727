package dev.oauthgw.architecture;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;

import dev.oauthgw.architecture.fixture.LeakyResource;
import dev.oauthgw.architecture.fixture.ProductUsingTheSandbox;
import dev.oauthgw.architecture.fixture.StateWriter;
import dev.oauthgw.architecture.fixture.cycle.a.A;
import dev.oauthgw.architecture.fixture.cycle.b.B;
import dev.oauthgw.grant.Grant;
import dev.oauthgw.grant.GrantLifecycle;
import dev.oauthgw.http.archfixture.ClientKnowingAFeature;
import dev.oauthgw.refresh.archfixture.RefresherCallingMetrics;

/**
 * Each rule of {@link ArchitectureRules} fails on a small class that breaks it on purpose (the fixtures in
 * src/test), and the failure names the offender: a rule that cannot fail would prove nothing.
 */
class ArchitectureRulesBiteTest {

    private static void bites(ArchRule rule, String offender, Class<?>... classes) {
        JavaClasses imported = new ClassFileImporter().importClasses(classes);
        AssertionError e = assertThrows(AssertionError.class, () -> rule.check(imported));
        assertTrue(e.getMessage().contains(offender), e.getMessage());
    }

    @Test
    void a_package_cycle_fails_the_build() {
        bites(ArchitectureRules.noPackageCycles("dev.oauthgw.architecture.fixture.cycle"), "Cycle detected", A.class,
                B.class);
    }

    @Test
    void product_code_referencing_the_sandbox_fails_the_build() {
        bites(ArchitectureRules.PRODUCT_DOES_NOT_USE_THE_SANDBOX, ProductUsingTheSandbox.class.getName(),
                ProductUsingTheSandbox.class);
    }

    @Test
    void a_resource_touching_the_entity_manager_fails_the_build() {
        bites(ArchitectureRules.RESOURCES_DO_NOT_TOUCH_THE_DATABASE, LeakyResource.class.getName(),
                LeakyResource.class);
    }

    @Test
    void assigning_a_grants_state_outside_the_lifecycle_fails_the_build() {
        bites(ArchitectureRules.onlyTheLifecycleAssignsGrantState(Grant.class, GrantLifecycle.class),
                StateWriter.class.getName(), StateWriter.class);
    }

    @Test
    void the_core_calling_the_metrics_fails_the_build() {
        bites(ArchitectureRules.CORE_DOES_NOT_DEPEND_ON_OPS_OR_METRICS, RefresherCallingMetrics.class.getName(),
                RefresherCallingMetrics.class);
    }

    @Test
    void the_http_client_importing_a_feature_fails_the_build() {
        bites(ArchitectureRules.THE_HTTP_CLIENT_KNOWS_NO_FEATURE, ClientKnowingAFeature.class.getName(),
                ClientKnowingAFeature.class);
    }
}
