package io.tailaudit.sdk;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class TailAuditClientTest {

    private static Trace trace() {
        return Trace.builder("invoice-extraction", Category.EXTRACTION)
                .deployment(Deployment.local("vllm", "llama-3.1-8b-instruct"))
                .latencyMs(420).usage(Usage.of(3100, 240)).outcome(Outcome.ok(0.9)).build();
    }

    private static String closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void record_without_a_reachable_broker_neither_blocks_nor_throws_and_counts_drops() throws Exception {
        TailAuditConfig config = TailAuditConfig.builder(closedPort()).queueCapacity(100)
                .closeTimeout(Duration.ofMillis(200)).build();
        Trace t = trace();
        try (TailAuditClient client = TailAudit.client(config)) {
            long start = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                client.record(t);
            }
            long perCallNanos = (System.nanoTime() - start) / 10_000;
            System.out.printf("record() with no broker: %d ns per call on average (10,000 calls)%n", perCallNanos);
            ClientStats stats = client.stats();
            assertThat(stats.accepted() + stats.dropped()).isEqualTo(10_000);
            assertThat(stats.dropped()).as("the queue holds 100; the sender cannot drain it").isGreaterThanOrEqualTo(9_800);
        }
    }

    @Test
    void record_after_close_is_dropped_not_thrown() throws Exception {
        TailAuditClient client = TailAudit.client(TailAuditConfig.builder(closedPort())
                .closeTimeout(Duration.ZERO).build());
        client.close();

        assertThatCode(() -> assertThat(client.record(trace())).isFalse()).doesNotThrowAnyException();
        assertThat(client.stats().dropped()).isEqualTo(1);
    }

    @Test
    void null_trace_is_dropped_not_thrown() throws Exception {
        try (TailAuditClient client = TailAudit.client(TailAuditConfig.builder(closedPort())
                .closeTimeout(Duration.ZERO).build())) {
            assertThat(client.record(null)).isFalse();
            assertThat(client.stats().dropped()).isEqualTo(1);
        }
    }

    @Test
    void feedback_requires_at_least_one_signal() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        new Feedback("t-1", "chat", Instant.now(), null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one of");
    }

    @Test
    void config_rejects_a_queue_of_zero_naming_the_setting() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TailAuditConfig.builder("x:1").queueCapacity(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queueCapacity must be >= 1, got 0");
    }
}
