package io.tailaudit.server.rollup;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.server.tail.QualityHistogram;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Traces;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deltas a server before V5 left in {@code tail_rollup_delta} (a row per task, deployment and hour, every
 * cohort in it) are folded by the new compactor: the hour row keeps the context cohort, the day row all.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class LegacyDeltaTest {

    private static final Cohort SHORT = new Cohort(Cohort.CONTEXT, "<=2k");
    private static final Cohort ACME = new Cohort("tag:tenant", "acme");

    @Inject
    RollupCompactor compactor;

    @Test
    void deltasLeftBeforeTheUpgradeAreFoldedIntoHourAndDayRows() throws Exception {
        String task = Traces.uniqueTask("legacy");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        QualityHistogram quality = new QualityHistogram();
        quality.add(true, 0.9, false, false, true);
        quality.add(false, null, false, false, true);
        try (Connection c = Db.connect(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO tail_rollup_delta (task, deployment_kind, provider, model, hour, category, traces,
                    escalations, status_error, status_timeout, status_refused, status_invalid_output, escalated,
                    negative, schema_invalid, input_tokens, output_tokens, priced_cost_usd, unpriced_input_tokens,
                    unpriced_output_tokens, quality, latency, cohorts, appended_at)
                VALUES (?, 'local', '', 'llama-13b', ?, 'chat', 2, 0, 1, 0, 0, 0, 0, 0, 0, 1800, 200, 0, 1800, 200,
                    ?, NULL, ?, now())""")) {
            ps.setString(1, task);
            ps.setTimestamp(2, Timestamp.from(hour));
            ps.setBytes(3, HistogramCodec.encode(quality));
            ps.setBytes(4, Cohort.encode(Map.of(SHORT, copy(quality), ACME, copy(quality))));
            ps.executeUpdate();
        }

        // a scheduled fold may hold the compactor's lock at that moment: then the next attempt folds it
        await().atMost(ofSeconds(30)).until(() -> {
            compactor.foldLegacy();
            return Db.count("SELECT count(*) FROM tail_rollup_delta WHERE task = ?", task) == 0;
        });
        assertThat(cohorts(task, "h")).containsOnlyKeys(SHORT);
        assertThat(cohorts(task, "d")).containsOnlyKeys(SHORT, ACME);
        assertThat(Db.count("SELECT sum(traces) FROM tail_rollup WHERE task = ? AND span = 'h'", task)).isEqualTo(2);
        assertThat(Db.count("SELECT sum(status_error) FROM tail_rollup WHERE task = ? AND span = 'd'", task))
                .isEqualTo(1);
        given().queryParam("window", "24h").get("/api/v1/tasks/{task}", task).then().statusCode(200);
        assertThat(given().queryParam("window", "24h").get("/api/v1/tasks/{task}", task).jsonPath()
                .getInt("deployments[0].traces")).isEqualTo(2);
    }

    private static QualityHistogram copy(QualityHistogram h) {
        return new QualityHistogram().merge(h);
    }

    private static Map<Cohort, QualityHistogram> cohorts(String task, String span) throws Exception {
        try (Connection c = Db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT cohorts FROM tail_rollup WHERE task = ? AND span = ?::\"char\"")) {
            ps.setString(1, task);
            ps.setString(2, span);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a %s row", span).isTrue();
                return Cohort.decode(rs.getBytes(1));
            }
        }
    }
}
