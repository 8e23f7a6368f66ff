package io.tailaudit.server.ingest;

import io.tailaudit.server.db.StorageException;
import io.tailaudit.server.trace.TraceRow;
import io.tailaudit.server.trace.PartitionManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a polled batch into rows and stores it: one transaction for the traces, feedback and dead letters
 * of the batch, then the dead letters to their topic. A storage failure that a retry can fix surfaces as
 * {@link RetryableBatchException}; any other failure (a data error from the database, or an exception while
 * building the rows or rollups) may be a record's fault, so the batch is isolated record by record, the
 * offending record goes to the DLQ and the rest is stored: one bad record never blocks its batch.
 */
final class BatchProcessor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BatchProcessor.class);

    private final DataSource dataSource;
    private final EventParser parser;
    private final BatchWriter writer;
    private final PartitionManager partitions;
    private final DeadLetterPublisher deadLetters;
    private final IngestMetrics metrics;
    private final Clock clock;
    private Connection connection;

    BatchProcessor(DataSource dataSource, EventParser parser, BatchWriter writer, PartitionManager partitions,
                   DeadLetterPublisher deadLetters, IngestMetrics metrics, Clock clock) {
        this.dataSource = dataSource;
        this.parser = parser;
        this.writer = writer;
        this.partitions = partitions;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
    }

    PreparedBatch prepare(ConsumerRecords<String, byte[]> records) {
        // one thread: this overlaps the previous batch's store, and the other core belongs to PostgreSQL
        List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
        records.forEach(polled::add);
        EventParser.Parsed[] parsed = new EventParser.Parsed[polled.size()];
        for (int i = 0; i < parsed.length; i++) {
            parsed[i] = parser.parseStamped(polled.get(i).value());
        }
        List<IncomingRecord> traces = new ArrayList<>(records.count());
        List<IncomingRecord> feedback = new ArrayList<>();
        List<IncomingRecord> rejected = new ArrayList<>();
        Map<String, TraceRow> seen = new HashMap<>();
        List<ProducerStamp> copies = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        Map<TopicPartition, Long> first = new HashMap<>();
        for (int i = 0; i < parsed.length; i++) {
            ConsumerRecord<String, byte[]> r = polled.get(i);
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            first.putIfAbsent(tp, r.offset());
            commit.put(tp, new OffsetAndMetadata(r.offset() + 1));
            IncomingRecord in = new IncomingRecord(r.topic(), r.partition(), r.offset(), r.key(), r.value(),
                    parsed[i].event(), parsed[i].stamp());
            switch (in.event()) {
                case ParsedTrace(TraceRow t) -> {
                    TraceRow earlier = seen.putIfAbsent(t.traceId(), t);
                    if (earlier == null) {
                        traces.add(in);
                    } else if (earlier.contentHash() != t.contentHash()) {
                        rejected.add(in.withEvent(new Rejection(Rejection.DUPLICATE_TRACE_ID_CONFLICT, "$.trace_id",
                                "trace_id was already stored with different content; the first version stands")));
                    } else if (in.stamp() != null) {
                        copies.add(in.stamp());     // the same trace again: stored once, accounted for in the ledger
                    }
                }
                case ParsedFeedback f -> feedback.add(in);
                case Rejection x -> rejected.add(in);
            }
        }
        return new PreparedBatch(records.count(), BatchWriter.TracePayload.of(traces, clock.instant(), writer.textless())
                .withCopies(copies), feedback, rejected, commit, first);
    }

    void store(PreparedBatch batch) throws RetryableBatchException {
        long start = System.nanoTime();
        Instant now = clock.instant();
        ensurePartitions(batch.traces());
        List<IncomingRecord> dead;
        try {
            dead = writeInOneTransaction(batch.payload(), batch.feedback(), batch.rejected(), now);
        } catch (SQLException e) {
            if (isTransient(e)) {
                throw new RetryableBatchException("database unavailable: " + e.getMessage(), e);
            }
            LOG.warnf("ingest batch hit a data error, isolating records size=%d sqlstate=%s error=%s",
                    batch.size(), e.getSQLState(), e.getMessage());
            dead = storeRecordByRecord(batch, now);
        } catch (RuntimeException e) {
            // not the database's doing (it answers with SQLException): some record's value broke the writer
            LOG.warnf("ingest batch failed while writing, isolating records size=%d error=%s", batch.size(), e);
            dead = storeRecordByRecord(batch, now);
        }
        deadLetters.publish(dead, now);
        dead.forEach(d -> metrics.deadLetter(((Rejection) d.event()).reason()));
        metrics.batch(batch.size(), batch.traces().size(), batch.feedback().size(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    void recordRetry() {
        metrics.retry();
    }

    private void ensurePartitions(List<IncomingRecord> traces) throws RetryableBatchException {
        Set<LocalDate> days = new HashSet<>();
        for (IncomingRecord r : traces) {
            days.add(LocalDate.ofInstant(r.trace().occurredAt(), ZoneOffset.UTC));
        }
        try {
            partitions.ensure(days);
        } catch (StorageException e) {
            throw new RetryableBatchException("could not create trace partitions: " + e.getMessage(), e);
        }
    }

    private List<IncomingRecord> writeInOneTransaction(BatchWriter.TracePayload traces, List<IncomingRecord> feedback,
                                                       List<IncomingRecord> rejected, Instant now) throws SQLException {
        Connection c = connection();
        try {
            List<IncomingRecord> conflicts = writer.write(c, traces, feedback, rejected, now);
            long beforeCommit = System.nanoTime();
            c.commit();
            LOG.debugf("batch committed commit_ms=%.1f", (System.nanoTime() - beforeCommit) / 1e6);
            List<IncomingRecord> dead = new ArrayList<>(rejected);
            dead.addAll(conflicts);
            return dead;
        } catch (SQLException | RuntimeException e) {
            discardConnection();
            throw e;
        }
    }

    private List<IncomingRecord> storeRecordByRecord(PreparedBatch batch, Instant now) throws RetryableBatchException {
        List<IncomingRecord> dead = new ArrayList<>();
        List<IncomingRecord> all = new ArrayList<>(batch.traces());
        all.addAll(batch.feedback());
        all.addAll(batch.rejected());
        for (IncomingRecord r : all) {
            boolean isTrace = r.event() instanceof ParsedTrace;
            boolean isFeedback = r.event() instanceof ParsedFeedback;
            try {
                dead.addAll(writeInOneTransaction(BatchWriter.TracePayload.of(isTrace ? List.of(r) : List.of(), now),
                        isFeedback ? List.of(r) : List.of(), isTrace || isFeedback ? List.of() : List.of(r), now));
            } catch (SQLException e) {
                if (isTransient(e)) {
                    throw new RetryableBatchException("database unavailable: " + e.getMessage(), e);
                }
                dead.addAll(recordDeadLetter(r, "the database rejected the record (SQLSTATE " + e.getSQLState() + ")",
                        now));
            } catch (RuntimeException e) {
                LOG.debugf("ingest record could not be written offset=%s-%d@%d error=%s", r.topic(), r.partition(),
                        r.offset(), e);
                dead.addAll(recordDeadLetter(r, "ingest could not write the record: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()), now));
            }
        }
        return dead;
    }

    private List<IncomingRecord> recordDeadLetter(IncomingRecord r, String detail, Instant now) throws RetryableBatchException {
        IncomingRecord rejected = r.withEvent(new Rejection(Rejection.STORAGE_REJECTED, "$", detail));
        try {
            return writeInOneTransaction(BatchWriter.TracePayload.of(List.of(), now), List.of(), List.of(rejected), now);
        } catch (SQLException again) {
            throw new RetryableBatchException("could not record a dead letter: " + again.getMessage(), again);
        } catch (RuntimeException again) {
            // the row's key and preview come from the record: store its coordinates alone, publish it whole
            LOG.debugf("ingest dead letter row failed, storing coordinates only offset=%s-%d@%d error=%s", r.topic(),
                    r.partition(), r.offset(), again);
            IncomingRecord bare = new IncomingRecord(r.topic(), r.partition(), r.offset(), null, new byte[0],
                    rejected.event(), r.stamp());
            try {
                writeInOneTransaction(BatchWriter.TracePayload.of(List.of(), now), List.of(), List.of(bare), now);
                return List.of(rejected);
            } catch (SQLException | RuntimeException coordinates) {
                // coordinates and a reason are no record's content: failing here is storage's fault
                throw new RetryableBatchException("could not record a dead letter: " + coordinates, coordinates);
            }
        }
    }

    /**
     * Only a data exception (SQLSTATE class 22) or an integrity violation (23) can be a record's fault;
     * everything else (connection, resources, an operator, a database refusing connections, a pool that
     * cannot hand out a connection and has no SQLSTATE) is retried, never blamed on the records.
     */
    static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        return state == null || !(state.startsWith("22") || state.startsWith("23"));
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false);
            connection = c;
        }
        return connection;
    }

    private void discardConnection() {
        if (connection == null) {
            return;
        }
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is being thrown away; its state no longer matters
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // ditto
        }
        connection = null;
    }

    @Override
    public void close() {
        discardConnection();
        deadLetters.close();
    }
}
