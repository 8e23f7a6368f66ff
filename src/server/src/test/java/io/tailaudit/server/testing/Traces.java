package io.tailaudit.server.testing;

import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Deployment;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.Usage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Small builders of valid traces: {@code Traces.ok("invoice-extraction").latencyMs(420).build()}. */
public final class Traces {

    private Traces() {
    }

    /** A successful local chat trace of {@code task}, occurred a minute ago. */
    public static Trace.Builder ok(String task) {
        return Trace.builder(task, Category.CHAT)
                .traceId(UUID.randomUUID().toString())
                .occurredAt(recent())
                .service("test-service")
                .deployment(Deployment.local("vllm", "llama-3.1-8b-instruct"))
                .latencyMs(420)
                .usage(Usage.of(900, 120))
                .outcome(Outcome.ok(0.9));
    }

    /**
     * A minute ago, but never before the current clock hour: the named window 1h is the current hour, so a
     * test run in the first minute of an hour would otherwise find its traces outside it (AlertsTest did).
     */
    public static Instant recent() {
        Instant now = Instant.now();
        Instant minuteAgo = now.minus(1, ChronoUnit.MINUTES);
        Instant hour = now.truncatedTo(ChronoUnit.HOURS);
        return (minuteAgo.isBefore(hour) ? hour : minuteAgo).truncatedTo(ChronoUnit.MILLIS);
    }

    /** A task id no other test uses. */
    public static String uniqueTask(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
