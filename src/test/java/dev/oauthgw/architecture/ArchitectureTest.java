package dev.oauthgw.architecture;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import dev.oauthgw.grant.Grant;
import dev.oauthgw.grant.GrantLifecycle;

/** The product code (src/main, not the tests) keeps the structure's rules. Plain JUnit, no Quarkus. */
class ArchitectureTest {

    static final JavaClasses PRODUCT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ArchitectureRules.ROOT);

    @Test
    void no_package_depends_on_itself_through_others() {
        ArchitectureRules.noPackageCycles(ArchitectureRules.ROOT).check(PRODUCT);
    }

    @Test
    void product_code_never_references_the_sandbox() {
        ArchitectureRules.PRODUCT_DOES_NOT_USE_THE_SANDBOX.check(PRODUCT);
    }

    @Test
    void resources_never_touch_the_database() {
        ArchitectureRules.RESOURCES_DO_NOT_TOUCH_THE_DATABASE.check(PRODUCT);
    }

    @Test
    void only_the_grant_lifecycle_assigns_a_grants_state() {
        ArchitectureRules.onlyTheLifecycleAssignsGrantState(Grant.class, GrantLifecycle.class).check(PRODUCT);
    }

    @Test
    void the_core_imports_nothing_from_the_operators_features_or_the_metrics() {
        ArchitectureRules.CORE_DOES_NOT_DEPEND_ON_OPS_OR_METRICS.check(PRODUCT);
    }

    @Test
    void the_bounded_http_client_imports_no_feature() {
        ArchitectureRules.THE_HTTP_CLIENT_KNOWS_NO_FEATURE.check(PRODUCT);
    }
}
