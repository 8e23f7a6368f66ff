package io.tailaudit.server.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a batch's part of the reconciliation ledger ({@code producer_ledger}) in the batch's transaction:
 * per producer, a bit for the sequence number of each event it stored (new traces, identical copies and
 * redeliveries, feedback) and of each it dead-lettered, ORed into the producer's blocks of
 * {@value #BLOCK} numbers. A batch touches a few blocks of fixed size however its events interleave across
 * partitions, and the OR is idempotent, so a replayed batch changes nothing. Rows are written in
 * (producer, block) order, so two ingest replicas wait for each other's row locks instead of deadlocking.
 */
final class ProducerLedger {

    /** Sequence numbers per row. */
    static final int BLOCK = 4096;

    private static final String UPSERT = """
            INSERT INTO producer_ledger (producer_id, block, stored, dead, first_seen, last_seen)
            VALUES (?, ?, ?::bit(4096), ?::bit(4096), ?, ?)
            ON CONFLICT (producer_id, block) DO UPDATE SET stored = producer_ledger.stored | excluded.stored,
                dead = producer_ledger.dead | excluded.dead,
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
        // (producer, block) -> {stored bits, dead bits}, in key order
        Map<String, Map<Long, char[][]>> blocks = new TreeMap<>();
        stored.forEach((p, seqs) -> seqs.forEach(q -> bits(blocks, p, q)[0][(int) (q % BLOCK)] = '1'));
        deadSeqs.forEach((p, seqs) -> seqs.forEach(q -> bits(blocks, p, q)[1][(int) (q % BLOCK)] = '1'));
        Timestamp at = Timestamp.from(receivedAt);
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (Map.Entry<String, Map<Long, char[][]>> p : blocks.entrySet()) {
                for (Map.Entry<Long, char[][]> b : p.getValue().entrySet()) {
                    ps.setString(1, p.getKey());
                    ps.setLong(2, b.getKey());
                    ps.setString(3, new String(b.getValue()[0]));
                    ps.setString(4, new String(b.getValue()[1]));
                    ps.setTimestamp(5, at);
                    ps.setTimestamp(6, at);
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    private static char[][] bits(Map<String, Map<Long, char[][]>> blocks, String producer, long seq) {
        return blocks.computeIfAbsent(producer, k -> new TreeMap<>()).computeIfAbsent(seq / BLOCK, k -> {
            char[][] b = {new char[BLOCK], new char[BLOCK]};
            java.util.Arrays.fill(b[0], '0');
            java.util.Arrays.fill(b[1], '0');
            return b;
        });
    }

    private static void add(Map<String, List<Long>> into, ProducerStamp s) {
        into.computeIfAbsent(s.producerId(), k -> new ArrayList<>()).add(s.seq());
    }

    private record Coordinates(String topic, int partition, long offset) {
    }

    private static Coordinates coordinates(IncomingRecord r) {
        return new Coordinates(r.topic(), r.partition(), r.offset());
    }
}
