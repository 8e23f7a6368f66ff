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
                .occurredAt(Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MILLIS))
                .service("test-service")
                .deployment(Deployment.local("vllm", "llama-3.1-8b-instruct"))
                .latencyMs(420)
                .usage(Usage.of(900, 120))
                .outcome(Outcome.ok(0.9));
    }

    /** A task id no other test uses. */
    public static String uniqueTask(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
