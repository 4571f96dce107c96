package io.eventflow.e2e;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The tests drive the projector through its entry points only ({@code io.eventflow.projection}:
 * ProjectorMain, ProjectorCli, Projector, ProjectorConfig, ProjectionDocuments); its capability
 * packages are public for each other, not for this module. Needs no stack.
 */
class ProjectorApiTest {
    @Test
    void onlyTheProjectorsEntryPointsAreUsed() {
        noClasses().that().resideInAPackage("io.eventflow.e2e..").should()
                .dependOnClassesThat(resideInAPackage("io.eventflow.projection..")
                        .and(not(resideInAPackage("io.eventflow.projection"))))
                .check(new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeJars())
                        .importPackages("io.eventflow.e2e"));
    }
}
