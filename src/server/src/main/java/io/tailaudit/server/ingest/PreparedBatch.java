package io.tailaudit.server.ingest;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;

/**
 * One polled batch, parsed and sorted: unique traces (with their COPY text), feedback, rejected records, and the offsets to
 * commit once it is stored ({@code commitOffsets}) or to rewind to if it must be dropped ({@code firstOffsets}).
 */
record PreparedBatch(int size, BatchWriter.TracePayload payload, List<IncomingRecord> feedback,
                     List<IncomingRecord> rejected, Map<TopicPartition, OffsetAndMetadata> commitOffsets,
                     Map<TopicPartition, Long> firstOffsets) {

    List<IncomingRecord> traces() {
        return payload.traces();
    }
}
