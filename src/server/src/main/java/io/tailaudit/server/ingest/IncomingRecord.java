package io.tailaudit.server.ingest;

/**
 * One consumed Kafka record with where it came from, what it parsed to, and its producer stamp (null when it
 * carries none).
 */
record IncomingRecord(String topic, int partition, long offset, String key, byte[] value, ParsedEvent event,
                      ProducerStamp stamp) {

    IncomingRecord(String topic, int partition, long offset, String key, byte[] value, ParsedEvent event) {
        this(topic, partition, offset, key, value, event, null);
    }

    IncomingRecord withEvent(ParsedEvent replacement) {
        return new IncomingRecord(topic, partition, offset, key, value, replacement, stamp);
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
