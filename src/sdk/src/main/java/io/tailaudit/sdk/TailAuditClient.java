package io.tailaudit.sdk;

import io.tailaudit.sdk.internal.Sender;

import java.time.Duration;

/**
 * Emits traces and feedback to Kafka without ever blocking or throwing into the caller's inference path.
 *
 * <p>{@link #record(Trace)} and {@link #feedback(Feedback)} put the event on a bounded in-memory queue and
 * return at once; one background thread serializes and sends. When the queue is full (Kafka unreachable
 * for long, or a burst beyond the sender's pace) the new event is dropped, counted in {@link #stats()} and
 * logged (at most every 10 s). Thread-safe: share one client per process. Create it with
 * {@link TailAudit#client(TailAuditConfig)}; close it once at shutdown, which flushes the queue.
 */
public final class TailAuditClient implements AutoCloseable {

    private final Sender sender;

    TailAuditClient(TailAuditConfig config) {
        this.sender = new Sender(config);
    }

    /**
     * Queues one trace. Never blocks, never throws.
     *
     * @return true when queued, false when dropped (queue full, client closed, or a null trace)
     */
    public boolean record(Trace trace) {
        return sender.offer(trace);
    }

    /**
     * Queues one feedback event; it may precede its trace. Never blocks, never throws.
     *
     * @return true when queued, false when dropped
     */
    public boolean feedback(Feedback feedback) {
        return sender.offer(feedback);
    }

    /**
     * This client's producer id, stamped on every event with its sequence number (the server's ledger of what
     * it stored per producer); a new client, after a restart too, has a new one.
     */
    public String producerId() {
        return sender.producerId();
    }

    /** Counters since creation; cheap, callable from any thread. */
    public ClientStats stats() {
        return sender.stats();
    }

    /**
     * Waits until every event queued before this call is acknowledged by Kafka or has failed.
     * This one does block: call it at checkpoints or in tests, not on the inference path.
     *
     * @return true when flushed within {@code timeout}
     */
    public boolean flush(Duration timeout) {
        return sender.flush(timeout);
    }

    /** Stops accepting events, flushes for at most the configured close timeout, closes the producer. */
    @Override
    public void close() {
        sender.close();
    }
}
