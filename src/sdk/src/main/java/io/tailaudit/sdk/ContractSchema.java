package io.tailaudit.sdk;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.IOException;

/**
 * The JSON Schema of the trace contract v1, the single source of truth for what a valid event is.
 * The SDK's events serialize to it and the server validates every record against it.
 */
public final class ContractSchema {

    /** The value of every event's {@code schema} field. */
    public static final String SCHEMA_ID = "tailaudit.trace/v1";

    /** Class-path location of the JSON Schema document. */
    public static final String RESOURCE = "/io/tailaudit/sdk/tailaudit-trace-v1.schema.json";

    /** Largest {@code latency_ms} and {@code ttft_ms}: a day. A call that took longer is a clock or unit error. */
    public static final double MAX_MILLISECONDS = 86_400_000;

    /** Largest token count of {@code usage.*_tokens}: far above any context window, well inside an int. */
    public static final int MAX_TOKENS = 100_000_000;

    /** Largest {@code cost_usd} of one call. */
    public static final double MAX_COST_USD = 1_000_000;

    /** Largest {@code outcome.retries}. */
    public static final int MAX_RETRIES = 1_000;

    /** Largest {@code step} of an agent session. */
    public static final int MAX_STEP = 10_000;

    private ContractSchema() {
    }

    /** Opens the schema document; the caller closes the stream. */
    public static InputStream open() {
        InputStream in = ContractSchema.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new UncheckedIOException(new IOException("schema resource missing: " + RESOURCE));
        }
        return in;
    }
}
