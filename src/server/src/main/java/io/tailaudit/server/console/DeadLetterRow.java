package io.tailaudit.server.console;

import io.tailaudit.server.ingest.DeadLetter;

import java.time.Instant;

/**
 * One rejected record as the DLQ page shows it. The payload preview is prompt and output text, so it is
 * only carried for a text-reader; for anyone else it is absent from the page data, not merely hidden.
 */
public record DeadLetterRow(long id, Instant receivedAt, String reason, String jsonPath, String detail,
                            String payloadPreview, boolean payloadHidden, int payloadBytes, String sourceTopic,
                            int sourcePartition, long sourceOffset) {

    static DeadLetterRow of(DeadLetter d, boolean textReader) {
        boolean hidden = !textReader && d.payloadPreview != null && !d.payloadPreview.isEmpty();
        return new DeadLetterRow(d.id, d.receivedAt, d.reason, d.jsonPath, d.detail,
                textReader ? d.payloadPreview : null, hidden, d.payloadBytes, d.sourceTopic, d.sourcePartition,
                d.sourceOffset);
    }
}
