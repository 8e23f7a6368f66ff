package io.tailaudit.sdk;

/**
 * Counters of a {@link TailAuditClient} since it was created.
 *
 * @param accepted events taken into the queue by {@code record}/{@code feedback}
 * @param dropped  events refused because the queue was full or the client closed
 * @param sent     events acknowledged by Kafka
 * @param failed   events that could not be delivered (serialization or send error after retries)
 * @param queued   events waiting in the queue now
 * @param spooled  bytes in the on-disk spool not acknowledged by Kafka yet (0 without a spool)
 */
public record ClientStats(long accepted, long dropped, long sent, long failed, int queued, long spooled) {
}
