package io.tailaudit.server.ingest;

/** The result of reading one Kafka record: a trace, a feedback event, or the reason it was rejected. */
sealed interface ParsedEvent permits ParsedTrace, ParsedFeedback, Rejection {
}
