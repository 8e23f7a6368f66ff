package io.tailaudit.server.ingest;

import io.tailaudit.server.trace.TraceRow;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.rollup.CohortValues;
import io.tailaudit.server.rollup.RollupConfig;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import io.tailaudit.server.trace.PartitionManager;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A hostile record is one record's outcome: it reaches the DLQ, the records after it land, ingest stays ready. */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class HostileRecordTest {

    @Inject
    DataSource dataSource;
    @Inject
    PartitionManager partitions;
    @Inject
    RollupConfig rollup;
    @Inject
    IngestConfig config;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;
    @Inject
    MeterRegistry registry;

    @Test
    void a_latency_of_1e400_is_dead_lettered_and_the_next_trace_lands_with_ingest_ready() {
        String task = Traces.uniqueTask("infinite");
        String bad = "infinite-" + UUID.randomUUID();
        Kafka.send(Kafka.TOPIC, bad, Kafka.utf8("{\"schema\":\"tailaudit.trace/v1\",\"trace_id\":\"" + bad
                + "\",\"occurred_at\":\"" + Instant.now().minusSeconds(60) + "\",\"task\":\"" + task
                + "\",\"category\":\"chat\",\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"latency_ms\":1e400}"));
        Trace after = Traces.ok(task).build();
        Kafka.send(after);

        await().atMost(ofSeconds(30)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE trace_id = ?", after.traceId())).isEqualTo(1));
        assertThat(Db.text("SELECT reason FROM dead_letter WHERE record_key = ?", bad)).isEqualTo("out_of_range");
        assertThat(Db.text("SELECT json_path FROM dead_letter WHERE record_key = ?", bad)).isEqualTo("$.latency_ms");
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void a_record_that_breaks_the_rollup_builder_is_dead_lettered_and_the_rest_of_its_batch_lands() throws Exception {
        String topic = "hostile-" + UUID.randomUUID();
        Trace good = Traces.ok(Traces.uniqueTask("isolated")).build();
        Trace victim = Traces.ok(good.task()).build();
        try (BatchProcessor processor = processor()) {
            PreparedBatch polled = processor.prepare(records(topic, good, victim));
            // a value the parser lets through no more: Infinity is valid in PostgreSQL, the latency sketch throws
            IncomingRecord infinite = polled.traces().get(1).withEvent(new ParsedTrace(withInfiniteLatency(polled.traces().get(1).trace())));
            PreparedBatch batch = new PreparedBatch(polled.size(),
                    BatchWriter.TracePayload.of(List.of(polled.traces().get(0), infinite), Instant.now()), List.of(),
                    List.of(), polled.commitOffsets(), polled.firstOffsets());

            processor.store(batch);
        }

        assertThat(Db.count("SELECT count(*) FROM trace WHERE trace_id = ?", good.traceId())).isEqualTo(1);
        assertThat(Db.count("SELECT count(*) FROM trace WHERE trace_id = ?", victim.traceId())).isZero();
        assertThat(Db.text("SELECT reason FROM dead_letter WHERE source_topic = ? AND source_offset = 1", topic))
                .isEqualTo("storage_rejected");
        assertThat(Db.text("SELECT detail FROM dead_letter WHERE source_topic = ? AND source_offset = 1", topic))
                .startsWith("ingest could not write the record: IllegalArgumentException");
    }

    private BatchProcessor processor() {
        TextRedactor redactor = new TextRedactor(config.maxTextChars());
        Clock clock = Clock.systemUTC();
        return new BatchProcessor(dataSource, new EventParser(redactor, clock, partitions.retention(), config.futureTolerance()),
                new BatchWriter(redactor, new CohortValues(rollup.cohortValues()), true), partitions,
                new DeadLetterPublisher(kafka, config.dlqTopic()), new IngestMetrics(registry), clock);
    }

    private static ConsumerRecords<String, byte[]> records(String topic, Trace... traces) {
        TopicPartition tp = new TopicPartition(topic, 0);
        List<ConsumerRecord<String, byte[]>> list = new java.util.ArrayList<>();
        for (int i = 0; i < traces.length; i++) {
            list.add(new ConsumerRecord<>(topic, 0, i, traces[i].traceId(), EventWriter.write(traces[i])));
        }
        return new ConsumerRecords<>(Map.of(tp, list), Map.of());
    }

    private static TraceRow withInfiniteLatency(TraceRow t) {
        return new TraceRow(t.traceId(), t.occurredAt(), t.task(), t.category(), t.service(), t.deploymentKind(),
                t.provider(), t.model(), t.modelVersion(), t.quantization(), t.region(), Double.POSITIVE_INFINITY,
                t.ttftMs(), t.inputTokens(), t.outputTokens(), t.contextTokens(), t.costUsd(), t.status(),
                t.errorType(), t.quality(), t.feedback(), t.escalated(), t.fallback(), t.retries(), t.schemaValid(),
                t.sessionId(), t.parentTraceId(), t.step(), t.inputText(), t.outputText(), t.tags(), 0L)
                .withContentHash();
    }
}
