package io.eventflow.projection;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The projector's layout: other modules see only the entry points in {@code io.eventflow.projection};
 * the capability packages ({@code live}, {@code sink}, {@code rebuild}) stay internal even where
 * their types are public so that they can talk to each other.
 */
class ProjectorArchitectureTest {
    private static final String API = "io.eventflow.projection";
    private static final String[] INTERNAL = {API + ".live..", API + ".sink..", API + ".rebuild.."};
    private static final Set<String> ENTRY_POINTS = Set.of(ProjectorMain.class.getName(),
            ProjectorCli.class.getName(), Projector.class.getName(), ProjectorConfig.class.getName(),
            ProjectionDocuments.class.getName());

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS).importPackages(API);

    @Test
    void theEntryPointPackageExportsOnlyTheEntryPoints() {
        Set<String> exported = CLASSES.stream()
                .filter(c -> c.getPackageName().equals(API) && c.getModifiers().contains(JavaModifier.PUBLIC))
                .map(JavaClass::getName).collect(Collectors.toSet());
        assertThat(exported).containsExactlyInAnyOrderElementsOf(ENTRY_POINTS);
    }

    /** Otherwise a caller could hold an internal type without naming its package. */
    @Test
    void theEntryPointsNeitherTakeNorReturnInternalTypes() {
        List<String> leaks = new ArrayList<>();
        for (JavaClass api : CLASSES) {
            if (!ENTRY_POINTS.contains(api.getName())) {
                continue;
            }
            for (JavaCodeUnit unit : api.getCodeUnits()) {
                if (!visible(unit.getModifiers())) {
                    continue;
                }
                List<JavaClass> types = new ArrayList<>(unit.getRawParameterTypes());
                types.add(unit.getRawReturnType());
                types.stream().filter(ProjectorArchitectureTest::internal)
                        .forEach(t -> leaks.add(unit.getFullName() + " uses " + t.getName()));
            }
            for (JavaField field : api.getFields()) {
                if (visible(field.getModifiers()) && internal(field.getRawType())) {
                    leaks.add(field.getFullName() + " is a " + field.getRawType().getName());
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    @Test
    void theCapabilityPackagesAreFreeOfCycles() {
        slices().matching(API + ".(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    /** The entry points sit on top: internals reach up only for the configuration. */
    @Test
    void internalsUseNothingOfTheEntryPackageButTheConfiguration() {
        noClasses().that().resideInAnyPackage(INTERNAL).should()
                .dependOnClassesThat(resideInAPackage(API).and(not(equivalentTo(ProjectorConfig.class))))
                .check(CLASSES);
    }

    /** Writing to Elasticsearch knows nothing of where events come from. */
    @Test
    void theSinkDependsOnNoOtherProjectorPackage() {
        noClasses().that().resideInAPackage(API + ".sink..").should().dependOnClassesThat()
                .resideInAnyPackage(API, API + ".live..", API + ".rebuild..").check(CLASSES);
    }

    private static boolean visible(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static boolean internal(JavaClass type) {
        JavaClass base = type.isArray() ? type.getBaseComponentType() : type;
        return base.getPackageName().startsWith(API + ".");
    }
}
