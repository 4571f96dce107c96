package io.eventflow.e2e;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * Other modules use the analytics API through its entry points only ({@code io.eventflow.query}:
 * AnalyticsApi, AnalyticsApiConfig, AnalyticsApiMain); its sub-packages are internal. The bench
 * module does not have the API on its classpath at all.
 */
class ModuleBoundariesTest {
    @Test
    void analyticsApiInternalsAreNotUsedFromOtherModules() {
        noClasses().that().resideOutsideOfPackage("io.eventflow.query..")
                .should().dependOnClassesThat(resideInAPackage("io.eventflow.query..")
                        .and(not(resideInAPackage("io.eventflow.query"))))
                .check(new ClassFileImporter().importPackages("io.eventflow"));
    }
}
