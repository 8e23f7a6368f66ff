package io.tailaudit.server.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's shape, checked on its compiled classes and its SQL: the tail kernel is pure, the feature
 * packages form no cycle, and each table is touched only by the package that owns it.
 */
class ArchitectureTest {

    private static final String ROOT = "io.tailaudit.server";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void the_tail_kernel_uses_no_cdi_no_jdbc_no_quarkus() {
        noClasses().that().resideInAPackage(ROOT + ".tail..").should().dependOnClassesThat()
                .resideInAnyPackage("jakarta..", "javax..", "java.sql..", "io.quarkus..", "org.hibernate..",
                        "io.smallrye..", "org.eclipse.microprofile..", "io.vertx..", "org.apache.kafka..",
                        "org.postgresql..")
                .check(classes);
    }

    @Test
    void the_tail_kernel_needs_nothing_of_the_server_above_it() {
        classes().that().resideInAPackage(ROOT + ".tail..").should().onlyDependOnClassesThat()
                .resideInAnyPackage(ROOT + ".tail..", "java..", "io.tailaudit.sdk..", "org.apache.commons.math3..",
                        "com.fasterxml.jackson.annotation..")
                .check(classes);
    }

    @Test
    void the_packages_depend_on_each_other_without_a_cycle() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    /**
     * The package dependency rule: api and console on top, then alerts, analytics, the features settings,
     * cost and rollup, and trace and tail at the bottom; ingest beside analytics (it writes trace and rollup
     * and reads settings); db and security are infrastructure anyone may use; embedded and demo start the
     * platform and may use anything.
     */
    /**
     * Features throw {@code db.StorageException}, unchecked: a public method that opens its own connection
     * declares no {@link SQLException}. Only what runs inside its caller's transaction (it takes the
     * Connection, a statement or a result set) and the JDBC helpers of {@code db} still do.
     */
    @Test
    void features_throw_the_unchecked_storage_exception_not_sql_exception() {
        DescribedPredicate<JavaMethod> insideACallersTransaction = DescribedPredicate.describe(
                "take a Connection, a statement or a result set", m -> m.getRawParameterTypes().stream()
                        .anyMatch(t -> t.isAssignableTo(Connection.class) || t.isAssignableTo(Statement.class)
                                || t.isAssignableTo(ResultSet.class)));
        methods().that().arePublic().and().areDeclaredInClassesThat().resideOutsideOfPackage(ROOT + ".db..")
                .and(DescribedPredicate.not(insideACallersTransaction))
                .and().doNotHaveName("close")
                .should().notDeclareThrowableOfType(SQLException.class)
                .check(classes);
    }

    @Test
    void dependencies_point_one_way() {
        com.tngtech.archunit.library.Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("web").definedBy(ROOT + ".api..", ROOT + ".console..")
                .layer("alerts").definedBy(ROOT + ".alerts..")
                .layer("analytics").definedBy(ROOT + ".analytics..")
                .layer("index").definedBy(ROOT + ".index..")
                .layer("ingest").definedBy(ROOT + ".ingest..")
                .layer("settings").definedBy(ROOT + ".settings..")
                .layer("cost").definedBy(ROOT + ".cost..")
                .layer("rollup").definedBy(ROOT + ".rollup..")
                .layer("trace").definedBy(ROOT + ".trace..")
                .layer("tail").definedBy(ROOT + ".tail..")
                .layer("infrastructure").definedBy(ROOT + ".db..", ROOT + ".security..")
                .layer("platform").definedBy(ROOT + ".embedded..", ROOT + ".demo..", ROOT)
                .whereLayer("web").mayOnlyBeAccessedByLayers("platform")
                .whereLayer("alerts").mayOnlyBeAccessedByLayers("web", "platform")
                .whereLayer("analytics").mayOnlyBeAccessedByLayers("web", "alerts", "platform")
                .whereLayer("index").mayOnlyBeAccessedByLayers("web", "alerts", "analytics", "platform")
                .whereLayer("ingest").mayOnlyBeAccessedByLayers("web", "alerts", "platform")
                .whereLayer("settings").mayOnlyBeAccessedByLayers("web", "alerts", "analytics", "index", "ingest",
                        "platform")
                .whereLayer("cost").mayOnlyBeAccessedByLayers("web", "alerts", "analytics", "platform")
                .whereLayer("rollup").mayOnlyBeAccessedByLayers("web", "alerts", "analytics", "ingest", "platform")
                .whereLayer("trace").mayOnlyBeAccessedByLayers("web", "alerts", "analytics", "index", "ingest",
                        "settings", "rollup", "platform")
                .whereLayer("tail").mayOnlyBeAccessedByLayers("web", "alerts", "analytics", "index", "ingest",
                        "settings", "cost", "rollup", "trace", "platform")
                .check(classes);
    }

    /** Table -> the package that owns it; no SQL elsewhere names it. */
    private static final Map<String, String> OWNERS = Map.ofEntries(
            Map.entry("trace", "trace"), Map.entry("trace_key", "trace"), Map.entry("feedback", "trace"),
            Map.entry("task_volume_daily", "trace"),
            Map.entry("tail_rollup", "rollup"), Map.entry("tail_rollup_pending", "rollup"),
            Map.entry("tail_rollup_delta", "rollup"), Map.entry("tail_cohort_value", "rollup"),
            Map.entry("dead_letter", "ingest"), Map.entry("producer_ledger", "ingest"), Map.entry("producer_gap", "ingest"),
            Map.entry("task_settings", "settings"),
            Map.entry("model_price", "cost"), Map.entry("local_cost", "cost"),
            Map.entry("scope_reference", "index"), Map.entry("scope_reference_text", "index"),
            Map.entry("scope_drift", "index"));

    private static final Pattern SQL_TABLE = Pattern.compile(
            "\\b(?:FROM|JOIN|INTO|UPDATE|TABLE|COPY)\\s+([a-z_]+)\\b", Pattern.CASE_INSENSITIVE);

    @Test
    void only_a_tables_owner_package_names_it_in_sql() throws IOException {
        Path sources = Path.of("src/main/java/io/tailaudit/server");
        List<String> strays = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = sources.relativize(f).getName(0).toString();
                String code = Files.readString(f);
                Matcher m = SQL_TABLE.matcher(code);
                while (m.find()) {
                    String owner = OWNERS.get(m.group(1).toLowerCase(java.util.Locale.ROOT));
                    if (owner != null && !owner.equals(pkg) && isSql(code, m.start())) {
                        strays.add(sources.relativize(f) + " names " + m.group(1) + " (owned by " + owner + ")");
                    }
                }
            }
        }
        assertThat(strays).isEmpty();
    }

    /** Inside a string literal or a text block, not a comment: the line holds a quote before the match. */
    private static boolean isSql(String code, int at) {
        int lineStart = code.lastIndexOf('\n', at) + 1;
        String before = code.substring(lineStart, at).trim();
        if (before.startsWith("*") || before.startsWith("//") || before.startsWith("/*")) {
            return false;
        }
        return before.contains("\"") || textBlock(code, at);
    }

    private static boolean textBlock(String code, int at) {
        int open = code.lastIndexOf("\"\"\"", at);
        if (open < 0) {
            return false;
        }
        int count = 0;
        for (int i = code.indexOf("\"\"\""); i >= 0 && i <= open; i = code.indexOf("\"\"\"", i + 3)) {
            count++;
        }
        return count % 2 == 1;
    }
}
