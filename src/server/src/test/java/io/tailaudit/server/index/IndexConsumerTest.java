package io.tailaudit.server.index;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class IndexConsumerTest {

    private static ConsumerRecord<String, byte[]> record(String key, String value) {
        return new ConsumerRecord<>("t", 0, 0, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void the_trace_id_is_the_key_else_the_events_own_and_nothing_for_what_is_not_json() {
        assertThat(IndexConsumer.traceId(record("abc", "{\"trace_id\":\"other\"}"))).contains("abc");
        assertThat(IndexConsumer.traceId(record(null, "{\"trace_id\":\"t-1\",\"task\":\"x\"}"))).contains("t-1");
        assertThat(IndexConsumer.traceId(record("", "{\"trace_id\":\"t-2\"}"))).contains("t-2");
        assertThat(IndexConsumer.traceId(record(null, "not json"))).isEmpty();
        assertThat(IndexConsumer.traceId(record(null, "{\"trace_id\":42}"))).isEmpty();
        assertThat(IndexConsumer.traceId(record(null, null))).isEmpty();
    }
}
