package io.tailaudit.server.ingest;

/** One consumed Kafka record with where it came from and what it parsed to. */
record IncomingRecord(String topic, int partition, long offset, String key, byte[] value, ParsedEvent event) {

    IncomingRecord withEvent(ParsedEvent replacement) {
        return new IncomingRecord(topic, partition, offset, key, value, replacement);
    }

    /** The trace this record parsed as; only for a record that did. */
    io.tailaudit.server.trace.TraceRow trace() {
        return ((ParsedTrace) event).row();
    }

    /** The feedback this record parsed as; only for a record that did. */
    io.tailaudit.server.trace.FeedbackRow feedback() {
        return ((ParsedFeedback) event).row();
    }
}
