package io.tailaudit.server.ingest;

import io.tailaudit.server.rollup.CohortValues;
import io.tailaudit.server.rollup.RollupBatch;
import io.tailaudit.server.rollup.RollupWriter;
import io.tailaudit.server.settings.TaskSettingsService;
import io.tailaudit.server.trace.TraceRow;
import io.tailaudit.server.trace.TraceStore;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Writes one polled batch inside the caller's transaction: the traces and feedback through trace's
 * {@link TraceStore}, the rollups they add (built on another thread while the traces' COPY streams) and the
 * feedback corrections through rollup, then the batch's dead letters. Every step is idempotent, so a
 * replayed batch changes nothing.
 */
final class BatchWriter {

    private static final String INSERT_DEAD_LETTER = """
            INSERT INTO dead_letter (source_topic, source_partition, source_offset, record_key, reason, json_path,
                                     detail, payload_preview, payload_bytes, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING""";

    private static final int PREVIEW_CHARS = 2048;
    private static final int PREVIEW_READ_BYTES = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(BatchWriter.class);

    private final TextRedactor redactor;
    private final CohortValues cohorts;
    private volatile Set<String> textless = Set.of();
    /** Whether the producer ledger is kept ({@code tailaudit.ingest.ledger}). */
    private final boolean ledger;

    /** Builds a batch's rollups while the writer streams its COPY; idle otherwise. */
    private final Executor rollupBuilder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tailaudit-rollup-builder");
        t.setDaemon(true);
        return t;
    });

    BatchWriter(TextRedactor redactor, CohortValues cohorts, boolean ledger) {
        this.redactor = redactor;
        this.cohorts = cohorts;
        this.ledger = ledger;
    }

    /**
     * A batch's traces with their COPY text, built while the previous batch is being stored so the
     * write itself only streams it. {@code receivedAt} is when ingest read them; the rows of tasks in
     * {@code textless} (tasks that store no text, as last known) carry none.
     */
    record TracePayload(List<IncomingRecord> traces, TraceStore.Payload rows, Set<String> textless,
                        List<ProducerStamp> copies) {

        TracePayload {
            traces = List.copyOf(traces);
            textless = Set.copyOf(textless);
            copies = List.copyOf(copies);
        }

        static TracePayload of(List<IncomingRecord> traces, Instant receivedAt) {
            return of(traces, receivedAt, Set.of());
        }

        static TracePayload of(List<IncomingRecord> traces, Instant receivedAt, Set<String> textless) {
            return new TracePayload(traces, TraceStore.Payload.of(traces.stream().map(IncomingRecord::trace)
                    .map(t -> textless.contains(t.task()) ? t.withoutText() : t).toList(), receivedAt), textless,
                    List.of());
        }

        /** With the stamps of identical copies of these traces in the same batch (stored once, accounted for). */
        TracePayload withCopies(List<ProducerStamp> stamps) {
            return new TracePayload(traces, rows, textless, stamps);
        }

        /** This payload as the tasks that store no text are now: itself, or built again where one changed. */
        TracePayload under(Set<String> now) {
            for (IncomingRecord r : traces) {
                String task = r.trace().task();
                if (now.contains(task) != textless.contains(task)) {
                    return of(traces, rows.receivedAt(), now).withCopies(copies);
                }
            }
            return this;
        }
    }

    /** The tasks that stored no text as of the last batch written: what the next batch is prepared with. */
    Set<String> textless() {
        return textless;
    }

    /**
     * Writes the batch on {@code c} (auto-commit off); the caller commits. Traces must be unique by
     * trace_id within the batch; {@code rejected} records carry a {@link Rejection}. Returns the trace
     * records that reused a stored id with other content, now dead letters too.
     */
    List<IncomingRecord> write(Connection c, TracePayload payload, List<IncomingRecord> feedback,
                 List<IncomingRecord> rejected, Instant receivedAt) throws SQLException {
        try {
            return writeAll(c, payload, feedback, rejected, receivedAt);
        } catch (SQLException | RuntimeException e) {
            cohorts.discard();
            throw e;
        }
    }

    private List<IncomingRecord> writeAll(Connection c, TracePayload payload, List<IncomingRecord> feedback,
                 List<IncomingRecord> rejected, Instant receivedAt) throws SQLException {
        // read in this transaction: a batch that commits after a task stops storing text stores none of it
        Set<String> silent = TaskSettingsService.textless(c);
        textless = silent;
        TracePayload exact = payload.under(silent);
        List<IncomingRecord> traces = exact.traces();
        RollupBatch rollups = new RollupBatch();
        long t0 = System.nanoTime();
        List<IncomingRecord> conflicts = traces.isEmpty() ? List.of() : writeTraces(c, exact, rollups);
        long t1 = System.nanoTime();
        Set<String> touched = new HashSet<>();
        traces.forEach(r -> touched.add(r.trace().traceId()));
        TraceStore.insertFeedback(c, feedback.stream().map(IncomingRecord::feedback).toList(), receivedAt);
        feedback.forEach(r -> touched.add(r.feedback().traceId()));
        // feedback corrections in a batch of their own: the traces' rollups were encoded as they were built
        RollupBatch corrections = new RollupBatch();
        for (TraceStore.OutcomeChange change : TraceStore.applyPendingFeedback(c, touched, receivedAt)) {
            corrections.correct(change, cohorts.of(c, change.task(), change.contextTokens(), change.inputTokens(),
                    change.step(), change.modelVersion(), change.tags()));
        }
        RollupWriter.append(c, receivedAt, rollups, corrections);
        cohorts.save(c);
        long t2 = System.nanoTime();
        List<IncomingRecord> dead = new ArrayList<>(rejected);
        dead.addAll(conflicts);
        if (!dead.isEmpty()) {
            insertDeadLetters(c, dead, receivedAt, silent);
        }
        if (ledger) {
            ProducerLedger.append(c, receivedAt, exact, conflicts, feedback, dead);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("batch written traces=%d feedback=%d dead=%d traces_ms=%.1f feedback_ms=%.1f dead_ms=%.1f",
                    traces.size(), feedback.size(), dead.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                    (System.nanoTime() - t2) / 1e6);
        }
        return conflicts;
    }

    /**
     * Stores the traces; meanwhile another thread adds the new ones to the batch's rollups and encodes them,
     * so that work overlaps PostgreSQL's processing of the COPY instead of following it. Returns the records
     * that reused a stored trace_id with other content, as dead letters.
     */
    private List<IncomingRecord> writeTraces(Connection c, TracePayload payload, RollupBatch rollups)
            throws SQLException {
        // the builder must not touch the connection: read the cohort values of tasks not seen yet first
        cohorts.load(c, payload.rows().traces().stream().map(TraceRow::task).distinct().toList());
        List<TraceRow> reused = TraceStore.insert(c, payload.rows(), fresh -> CompletableFuture.runAsync(() -> {
            for (TraceRow t : fresh) {
                rollups.addTrace(t, cohorts.of(t.task(), t.contextTokens(), t.inputTokens(), t.step(),
                        t.modelVersion(), t.tags()));
            }
            rollups.encode();
        }, rollupBuilder));
        if (reused.isEmpty()) {
            return List.of();
        }
        Map<String, IncomingRecord> byId = new HashMap<>();
        payload.traces().forEach(r -> byId.put(r.trace().traceId(), r));
        List<IncomingRecord> conflicts = new ArrayList<>(reused.size());
        for (TraceRow t : reused) {
            conflicts.add(byId.get(t.traceId()).withEvent(new Rejection(Rejection.DUPLICATE_TRACE_ID_CONFLICT,
                    "$.trace_id", "trace_id was already stored with different content; the first version stands")));
        }
        return conflicts;
    }

    private void insertDeadLetters(Connection c, List<IncomingRecord> dead, Instant receivedAt, Set<String> textless)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_DEAD_LETTER)) {
            for (IncomingRecord r : dead) {
                Rejection why = (Rejection) r.event();
                ps.setString(1, r.topic());
                ps.setInt(2, r.partition());
                ps.setLong(3, r.offset());
                // the key is the producer's choice, shown at /api/v1/dlq: redacted like any free text
                ps.setString(4, r.key() == null ? null : TextRedactor.redact(r.key().replace("\u0000", "")));
                ps.setString(5, why.reason());
                ps.setString(6, why.path());
                ps.setString(7, why.detail().replace("\u0000", ""));
                ps.setString(8, preview(r.value(), textless));
                ps.setInt(9, r.value() == null ? 0 : r.value().length);
                ps.setTimestamp(10, Timestamp.from(receivedAt));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static final java.util.regex.Pattern TASK = java.util.regex.Pattern.compile(
            "\"task\"\\s{0,64}:\\s{0,64}\"((?:[^\"\\\\]|\\\\.){1,512})\"");

    /**
     * A note in place of the preview when the record names a task that stores no text: a dead letter keeps no
     * text of such a task either. The record may not parse, so the task is read from its first 64 KB, not
     * from the preview (a long input before the task would hide it there).
     */
    static String withheld(String head, Set<String> textless) {
        if (head == null || textless.isEmpty()) {
            return null;
        }
        java.util.regex.Matcher m = TASK.matcher(head);
        while (m.find()) {
            if (textless.contains(m.group(1))) {
                return "[preview withheld: task " + m.group(1) + " stores no text]";
            }
        }
        return null;
    }

    /** Redacted before it is cut, from at most 64 KB of the payload: enough context for any detector. */
    private String preview(byte[] value, Set<String> textless) {
        if (value == null) {
            return null;
        }
        String s = new String(value, 0, Math.min(value.length, PREVIEW_READ_BYTES), StandardCharsets.UTF_8);
        String note = withheld(s, textless);
        return note != null ? note : redactor.prefix(s.replace("\u0000", ""), PREVIEW_CHARS);
    }

}
