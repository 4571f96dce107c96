package io.eventflow.query;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The analytics API's packages by capability: {@code http}, {@code auth} and {@code search} are
 * shared; each query package ({@code events}, {@code payments}, one per aggregate type) uses only
 * those, never another query package; only the entry-point package {@code io.eventflow.query}
 * wires them, and nothing depends on it.
 */
class PackageLayoutTest {
    private static final String SUBPACKAGES = "io.eventflow.query.(*)..";
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.eventflow.query");

    @Test
    void subpackagesAreFreeOfCycles() {
        slices().matching(SUBPACKAGES).should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void queryPackagesMeetOnlyThroughTheSharedLayers() {
        slices().matching(SUBPACKAGES).should().notDependOnEachOther()
                .ignoreDependency(alwaysTrue(), resideInAnyPackage("io.eventflow.query.http..",
                        "io.eventflow.query.auth..", "io.eventflow.query.search.."))
                .check(CLASSES);
    }

    /** An aggregate type's package knows its own module only, never another type's or the events package. */
    @Test
    void theWorkflowsPackageDependsOnNoOtherAggregateType() {
        noClasses().that().resideInAPackage("io.eventflow.query.workflows..")
                .should().dependOnClassesThat().resideInAnyPackage("io.eventflow.payments..",
                        "io.eventflow.query.payments..", "io.eventflow.query.events..")
                .check(CLASSES);
    }

    @Test
    void onlyTheEntryPointPackageWiresThePackages() {
        noClasses().that(resideInAPackage("io.eventflow.query..").and(not(resideInAPackage("io.eventflow.query"))))
                .should().dependOnClassesThat().resideInAPackage("io.eventflow.query")
                .check(CLASSES);
    }
}
