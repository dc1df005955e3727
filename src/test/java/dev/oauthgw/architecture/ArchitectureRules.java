package dev.oauthgw.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The structure's rules (docs/architecture.md), checked on the product code by {@link ArchitectureTest} and
 * shown to fail on code that breaks them by {@link ArchitectureRulesBiteTest}.
 */
final class ArchitectureRules {

    static final String ROOT = "dev.oauthgw";

    private ArchitectureRules() {
    }

    /** Every package is its own slice; no two packages may depend on each other, directly or around a loop. */
    static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles()
                .because("a package that depends on itself through others cannot be changed or understood alone");
    }

    /** The sandbox stands in for Pax8 in dev mode and tests; the product never reaches into it. */
    static final ArchRule PRODUCT_DOES_NOT_USE_THE_SANDBOX = noClasses().that()
            .resideOutsideOfPackage(ROOT + ".sandbox..").should().dependOnClassesThat()
            .resideInAPackage(ROOT + ".sandbox..")
            .because("the sandbox is absent from the prod build (ADR 0004)");

    private static final com.tngtech.archunit.base.DescribedPredicate<JavaClass> RESOURCES = describe(
            "JAX-RS resources", c -> c.getSimpleName().endsWith("Resource") || c.isAnnotatedWith("jakarta.ws.rs.Path"));

    /** Resources stay thin: the database is the services' business. */
    static final ArchRule RESOURCES_DO_NOT_TOUCH_THE_DATABASE = noClasses().that(RESOURCES).should()
            .dependOnClassesThat().haveFullyQualifiedName("jakarta.persistence.EntityManager")
            .orShould().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "io.agroal..",
                    "io.quarkus.hibernate.orm.panache..", "io.quarkus.narayana.jta..")
            .orShould().dependOnClassesThat().areAnnotatedWith("jakarta.persistence.Entity")
            .because("resources are thin; services own transactions and queries (style.md habit 2)");

    /** One owner of a grant's state: only the lifecycle assigns it (and its "since"). */
    static ArchRule onlyTheLifecycleAssignsGrantState(Class<?> grant, Class<?> lifecycle) {
        return noClasses().that().doNotHaveFullyQualifiedName(lifecycle.getName()).should().setFieldWhere(
                describe("Grant.state or Grant.stateSince", a -> a.getTarget().getOwner().isEquivalentTo(grant)
                        && (a.getTarget().getName().equals("state") || a.getTarget().getName().equals("stateSince"))))
                .because("every change of a grant's state writes its audit record and its webhook event (ADR 0009)");
    }

    /** The core knows nothing of the operators' features or the metrics; those observe the core. */
    static final ArchRule CORE_DOES_NOT_DEPEND_ON_OPS_OR_METRICS = noClasses().that().resideInAnyPackage(
            ROOT + ".grant..", ROOT + ".crypto..", ROOT + ".provider..", ROOT + ".refresh..", ROOT + ".tokens..",
            ROOT + ".onboarding..", ROOT + ".events..", ROOT + ".audit..", ROOT + ".partner..", ROOT + ".common..",
            ROOT + ".proxy..")
            .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".ops..", ROOT + ".metrics..")
            .because("metrics and dashboards observe what happened (style.md habit 12)");

    /** The one outbound HTTP client (ADR 0019) is a library: it knows no feature, the features use it. */
    static final ArchRule THE_HTTP_CLIENT_KNOWS_NO_FEATURE = noClasses().that().resideInAPackage(ROOT + ".http..")
            .should().dependOnClassesThat(describe("classes of the gateway outside dev.oauthgw.http",
                    c -> c.getPackageName().startsWith(ROOT + ".") && !c.getPackageName().startsWith(ROOT + ".http")))
            .because("every feature's outbound calls share it; a feature inside it would make it theirs (ADR 0019)");
}
