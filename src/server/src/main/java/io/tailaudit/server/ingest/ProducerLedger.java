package io.tailaudit.server.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a batch's part of the reconciliation ledger ({@code producer_ledger}) in the batch's transaction:
 * per producer, the sequence numbers of the events it stored (new traces, identical copies and
 * redeliveries, feedback) and of those it dead-lettered, as ranges, into the row of the hour of receipt.
 * The union is idempotent, so a replayed batch changes nothing. Rows are written in producer order, so two
 * ingest replicas wait for each other's row locks instead of deadlocking.
 */
final class ProducerLedger {

    private static final String UPSERT = """
            INSERT INTO producer_ledger (producer_id, hour, stored, dead, first_seen, last_seen)
            VALUES (?, ?, ?::int8multirange, ?::int8multirange, ?, ?)
            ON CONFLICT (producer_id, hour) DO UPDATE SET stored = producer_ledger.stored + excluded.stored,
                dead = producer_ledger.dead + excluded.dead,
                last_seen = greatest(producer_ledger.last_seen, excluded.last_seen)""";

    private ProducerLedger() {
    }

    static void append(Connection c, Instant receivedAt, BatchWriter.TracePayload payload,
                       List<IncomingRecord> conflicts, List<IncomingRecord> feedback, List<IncomingRecord> dead)
            throws SQLException {
        Map<String, List<Long>> stored = new TreeMap<>();
        Map<String, List<Long>> deadSeqs = new TreeMap<>();
        Set<Coordinates> conflicted = new HashSet<>();
        for (IncomingRecord r : conflicts) {
            conflicted.add(coordinates(r));
        }
        for (IncomingRecord r : payload.traces()) {
            if (r.stamp() != null && !conflicted.contains(coordinates(r))) {
                add(stored, r.stamp());
            }
        }
        payload.copies().forEach(s -> add(stored, s));
        for (IncomingRecord r : feedback) {
            if (r.stamp() != null) {
                add(stored, r.stamp());
            }
        }
        for (IncomingRecord r : dead) {
            if (r.stamp() != null) {
                add(deadSeqs, r.stamp());
            }
        }
        if (stored.isEmpty() && deadSeqs.isEmpty()) {
            return;
        }
        Set<String> producers = new java.util.TreeSet<>(stored.keySet());
        producers.addAll(deadSeqs.keySet());
        Timestamp hour = Timestamp.from(receivedAt.truncatedTo(ChronoUnit.HOURS));
        Timestamp at = Timestamp.from(receivedAt);
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (String p : producers) {
                ps.setString(1, p);
                ps.setTimestamp(2, hour);
                ps.setString(3, multirange(stored.getOrDefault(p, List.of())));
                ps.setString(4, multirange(deadSeqs.getOrDefault(p, List.of())));
                ps.setTimestamp(5, at);
                ps.setTimestamp(6, at);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void add(Map<String, List<Long>> into, ProducerStamp s) {
        into.computeIfAbsent(s.producerId(), k -> new ArrayList<>()).add(s.seq());
    }

    private record Coordinates(String topic, int partition, long offset) {
    }

    private static Coordinates coordinates(IncomingRecord r) {
        return new Coordinates(r.topic(), r.partition(), r.offset());
    }

    /** Sequence numbers as a PostgreSQL multirange literal of half-open ranges: {@code {[0,5),[7,9)}}. */
    static String multirange(List<Long> seqs) {
        if (seqs.isEmpty()) {
            return "{}";
        }
        long[] s = seqs.stream().mapToLong(Long::longValue).sorted().toArray();
        StringBuilder b = new StringBuilder("{");
        long from = s[0];
        long to = s[0] + 1;
        for (int i = 1; i < s.length; i++) {
            if (s[i] <= to) {
                to = Math.max(to, s[i] + 1);
            } else {
                b.append('[').append(from).append(',').append(to).append("),");
                from = s[i];
                to = s[i] + 1;
            }
        }
        b.append('[').append(from).append(',').append(to).append(")}");
        return b.toString();
    }
}
