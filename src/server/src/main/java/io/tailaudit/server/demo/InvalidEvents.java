package io.tailaudit.server.demo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The four kinds of bad record the demo sends on purpose: each must land in the DLQ with its reason. */
final class InvalidEvents {

    private static final List<String> TEMPLATES = List.of(
            // malformed JSON: cut off mid-object
            "{\"schema\":\"tailaudit.trace/v1\",\"trace_id\":\"%s\",\"occurred_at\":\"%s\",\"task\":\"customer-sup",
            // missing required field: no task
            "{\"schema\":\"tailaudit.trace/v1\",\"trace_id\":\"%s\",\"occurred_at\":\"%s\",\"category\":\"chat\","
                    + "\"deployment\":{\"kind\":\"local\",\"model\":\"llama-2-13b-chat\"},\"latency_ms\":812}",
            // wrong enum: no such category
            "{\"schema\":\"tailaudit.trace/v1\",\"trace_id\":\"%s\",\"occurred_at\":\"%s\",\"task\":\"faq-bot\","
                    + "\"category\":\"poetry\",\"deployment\":{\"kind\":\"local\",\"model\":\"llama-3.1-8b-instruct\"},"
                    + "\"latency_ms\":640}",
            // out of range: quality above 1
            "{\"schema\":\"tailaudit.trace/v1\",\"trace_id\":\"%s\",\"occurred_at\":\"%s\",\"task\":\"ticket-triage\","
                    + "\"category\":\"classification\",\"deployment\":{\"kind\":\"local\",\"model\":\"mistral-7b-triage-ft\"},"
                    + "\"latency_ms\":201,\"outcome\":{\"status\":\"ok\",\"quality\":1.7}}");

    private InvalidEvents() {
    }

    /** The {@code n}-th bad record (kinds cycle), with its key. */
    static Keyed nth(long n, Instant at) {
        String id = "demo-invalid-" + UUID.randomUUID();
        String json = TEMPLATES.get((int) (n % TEMPLATES.size())).formatted(id, at);
        return new Keyed(id, json.getBytes(StandardCharsets.UTF_8));
    }

    record Keyed(String key, byte[] value) {
    }
}
