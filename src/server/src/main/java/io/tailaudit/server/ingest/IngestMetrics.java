package io.tailaudit.server.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/** Ingest's meters; names are documented in README (Prometheus: tailaudit_ingest_*, tailaudit_dlq_*). */
final class IngestMetrics {

    private final MeterRegistry registry;
    private final Counter traces;
    private final Counter feedback;
    private final Counter retries;
    private final Timer batchTime;
    private final DistributionSummary batchSize;

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.traces = Counter.builder("tailaudit.ingest.records").tag("kind", "trace")
                .description("Valid records written (redeliveries included)").register(registry);
        this.feedback = Counter.builder("tailaudit.ingest.records").tag("kind", "feedback")
                .description("Valid records written (redeliveries included)").register(registry);
        this.retries = Counter.builder("tailaudit.ingest.retries")
                .description("Batches retried after a storage failure").register(registry);
        this.batchTime = Timer.builder("tailaudit.ingest.batch.duration")
                .description("Write and commit one polled batch (parsing excluded)").register(registry);
        this.batchSize = DistributionSummary.builder("tailaudit.ingest.batch.size")
                .description("Records per polled batch").register(registry);
    }

    void batch(int records, int traceCount, int feedbackCount, Duration took) {
        batchSize.record(records);
        traces.increment(traceCount);
        feedback.increment(feedbackCount);
        batchTime.record(took);
    }

    void deadLetter(String reason) {
        registry.counter("tailaudit.dlq.records", "reason", reason).increment();
    }

    void retry() {
        retries.increment();
    }
}
