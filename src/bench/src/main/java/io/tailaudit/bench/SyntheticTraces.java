package io.tailaudit.bench;

import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Deployment;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Rating;
import io.tailaudit.sdk.Status;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.Usage;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Realistic traces without input/output text (the figures are about the pipeline, not the redactor):
 * 50 tasks over the 9 categories, local and cloud models, lognormal latencies with a heavy tail, a few
 * failures and escalations, 2-3 tags, occurred_at spread over the 3 days before {@code now}: in time order
 * (a replay of 3 days of traffic, as services emit it, within a minute of jitter) or at random times.
 * Deterministic: the same seed and {@code now} give the same sequence, so a benchmark can regenerate the
 * rows it produced instead of holding a million of them. Not thread-safe.
 */
final class SyntheticTraces {

    private record Profile(Category category, String service, double latencyMs, int inputTokens, int outputTokens,
                           List<String> tasks) {
    }

    private record Model(Deployment deployment, double usdPerMillionIn, double usdPerMillionOut) {
    }

    private static final List<Profile> PROFILES = List.of(
            new Profile(Category.AUTOCOMPLETE, "ide-assist", 90, 600, 24, List.of("code-completion",
                    "query-autocomplete", "email-autocomplete", "search-suggest", "form-autofill", "commit-message")),
            new Profile(Category.CLASSIFICATION, "triage", 180, 900, 8, List.of("ticket-routing",
                    "intent-detection", "spam-filter", "sentiment-scoring", "language-id", "content-moderation")),
            new Profile(Category.KEYBOARD, "mobile-keyboard", 45, 120, 12, List.of("next-word", "smart-reply",
                    "emoji-suggest", "grammar-fix", "tone-rewrite")),
            new Profile(Category.EXTRACTION, "documents", 1200, 3500, 400, List.of("invoice-extraction",
                    "receipt-parsing", "contract-clauses", "resume-parsing", "pii-detection", "table-extraction")),
            new Profile(Category.LONG_CONTEXT_QA, "knowledge", 4200, 28000, 350, List.of("policy-qa",
                    "earnings-call-qa", "legal-discovery", "manual-lookup", "research-digest")),
            new Profile(Category.AGENTIC, "agents", 6500, 9000, 900, List.of("travel-booking-agent", "refund-agent",
                    "sql-agent", "browser-agent", "onboarding-agent", "data-cleanup-agent")),
            new Profile(Category.CHAT, "assistant", 1800, 2500, 450, List.of("support-chat", "sales-assistant",
                    "hr-helpdesk", "tutor-chat", "internal-copilot", "product-faq")),
            new Profile(Category.CODEBASE_REASONING, "dev-tools", 9000, 42000, 1200, List.of("pr-review",
                    "bug-localization", "test-generation", "refactor-plan", "dependency-upgrade")),
            new Profile(Category.OTHER, "misc", 900, 1500, 300, List.of("translation", "summarization",
                    "title-generation", "alt-text", "meeting-notes")));

    // model_version, quantization and region are left out: most callers do not send them, and they would
    // push the events well past the ~400 bytes of a typical trace without text
    private static final List<Model> LOCAL = List.of(
            new Model(Deployment.local("vllm", "llama-3.1-8b-instruct"), 0, 0),
            new Model(Deployment.local("ollama", "qwen2.5-7b-instruct"), 0, 0),
            new Model(Deployment.local("llama.cpp", "mistral-7b-instruct"), 0, 0),
            new Model(Deployment.local("vllm", "llama-3.3-70b-instruct"), 0, 0));

    private static final List<Model> CLOUD = List.of(
            new Model(Deployment.cloud("openai", "gpt-4o-mini"), 0.15, 0.60),
            new Model(Deployment.cloud("anthropic", "claude-3-5-haiku"), 0.80, 4.00),
            new Model(Deployment.cloud("google", "gemini-1.5-flash"), 0.075, 0.30),
            new Model(Deployment.cloud("openai", "gpt-4.1"), 2.00, 8.00));

    private static final Duration SPREAD = Duration.ofDays(3);

    private final Random random;
    private final Instant now;
    private final long count;
    private final long spreadMillis;
    private final int variants;
    private long produced;
    /** Input text of about 1 KiB per trace when set (its own sequence: the traces stay those without text). */
    private Random text;
    private Instant novelAfter;

    /** Traces at random times in the 3 days before {@code now}. */
    SyntheticTraces(long seed, Instant now) {
        this(seed, now, 0);
    }

    static int taskCount(int variants) {
        return taskCount() * variants;
    }

    /** {@code count} traces in time order over the 3 days before {@code now}; 0 = at random times. */
    SyntheticTraces(long seed, Instant now, long count) {
        this(seed, now, count, SPREAD, 1);
    }

    /**
     * {@code count} traces in time order over {@code spread} before {@code now}, for {@code variants} x 50
     * tasks; with variants > 1 each task serves 90% of its traffic from one deployment of its own (the rest
     * from a random other, like a canary), as real tasks do.
     */
    SyntheticTraces(long seed, Instant now, long count, Duration spread, int variants) {
        this.random = new Random(seed);
        this.now = now.truncatedTo(ChronoUnit.MILLIS);
        this.count = count;
        this.spreadMillis = spread.toMillis();
        this.variants = variants;
    }

    /**
     * Gives every trace an input text of about 1 KiB from its task's templates (the variable parts drawn
     * from {@code seed}); after {@code novelAfter}, one input in five is of a kind the templates never ask.
     */
    SyntheticTraces withText(long seed, Instant novelAfter) {
        this.text = new Random(seed);
        this.novelAfter = novelAfter;
        return this;
    }

    private static final String[] NOVEL = {
            "Write a limerick about %s and then translate it into French, keeping the rhyme.",
            "What is the population of %s and which rivers run through it? Give sources.",
            "Write a Python function that parses %s log lines and returns a histogram of status codes.",
            "Draft a cover letter for a job at %s highlighting leadership and cloud experience.",
            "Explain quantum entanglement to a ten-year-old using %s as the example."};
    private static final String[] WORDS = {"orders", "invoice", "account", "shipment", "refund", "contract",
            "policy", "ticket", "customer", "payment", "delivery", "warehouse", "subscription", "renewal",
            "discount", "supplier", "quantity", "balance", "statement", "region"};

    private String inputText(String task, Instant at) {
        if (novelAfter != null && at.isAfter(novelAfter) && text.nextInt(5) == 0) {
            return String.format(NOVEL[text.nextInt(NOVEL.length)], WORDS[text.nextInt(WORDS.length)]);
        }
        StringBuilder b = new StringBuilder(1100);
        int template = Math.floorMod(task.hashCode(), 7);
        b.append("Task ").append(task).append(", template ").append(template).append(": read the record below and")
                .append(" answer in the agreed JSON format with the fields id, status, owner and due date.\n");
        while (b.length() < 1000) {
            b.append(WORDS[(template + text.nextInt(6)) % WORDS.length]).append(' ')
                    .append(10_000 + text.nextInt(90_000)).append(' ')
                    .append(WORDS[(template * 3 + text.nextInt(4)) % WORDS.length]).append(". ");
        }
        return b.toString();
    }

    private long ago() {
        if (count <= 0) {
            return (long) (random.nextDouble() * spreadMillis);
        }
        long steady = spreadMillis - (long) ((double) produced++ / count * spreadMillis);
        return Math.max(0, Math.min(spreadMillis, steady + (long) ((random.nextDouble() - 0.5) * 120_000)));
    }

    static int taskCount() {
        return PROFILES.stream().mapToInt(p -> p.tasks().size()).sum();
    }

    static int categoryCount() {
        return PROFILES.size();
    }

    Trace next() {
        Profile p = PROFILES.get(random.nextInt(PROFILES.size()));
        String task = p.tasks().get(random.nextInt(p.tasks().size()));
        boolean local;
        Model m;
        if (variants > 1) {
            int variant = random.nextInt(variants);
            task = task + "-" + variant;
            int home = Math.floorMod(task.hashCode(), 8);
            int pick = random.nextDouble() < 0.9 ? home : random.nextInt(8);
            local = pick < 4;
            m = (local ? LOCAL : CLOUD).get(pick % 4);
        } else {
            local = random.nextDouble() < 0.45;
            m = (local ? LOCAL : CLOUD).get(random.nextInt(4));
        }
        double latency = p.latencyMs() * (local ? 0.8 : 1.2) * Math.exp(0.5 * random.nextGaussian());
        if (random.nextDouble() < 0.02) {
            latency *= 3 + 5 * random.nextDouble(); // the tail the platform exists to find
        }
        int in = Math.max(1, (int) (p.inputTokens() * Math.exp(0.4 * random.nextGaussian())));
        int out = Math.max(1, (int) (p.outputTokens() * Math.exp(0.6 * random.nextGaussian())));
        String id = new UUID(random.nextLong(), random.nextLong()).toString();
        Instant at = now.minusMillis(ago());       // drawn after the id, as always: the sequence is unchanged
        Trace.Builder b = Trace.builder(task, p.category())
                .traceId(id)
                .occurredAt(at)
                .service(p.service())
                .deployment(m.deployment())
                .latencyMs(round(latency, 10))
                .usage(Usage.of(in, out))
                .outcome(outcome())
                .tags(tags());
        if (text != null) {
            b.input(inputText(task, at));
        }
        if (!local) {
            b.costUsd(round((in * m.usdPerMillionIn() + out * m.usdPerMillionOut()) / 1e6, 1e6));
        }
        if (p.category() == Category.CHAT) {
            b.ttftMs(round(latency * (0.08 + 0.2 * random.nextDouble()), 10)); // only streamed calls have one
        }
        if (p.category() == Category.AGENTIC) {
            b.sessionId("s-" + Long.toHexString(random.nextLong() & 0xffffffffffL)).step(random.nextInt(8));
        }
        return b.build();
    }

    private Outcome outcome() {
        double r = random.nextDouble();
        Outcome o;
        if (r < 0.015) {
            o = Outcome.failed(Status.ERROR, List.of("rate_limited", "context_overflow", "upstream_5xx").get(random.nextInt(3)));
        } else if (r < 0.022) {
            o = Outcome.failed(Status.TIMEOUT, "deadline_exceeded");
        } else if (r < 0.026) {
            o = Outcome.failed(Status.INVALID_OUTPUT, "schema_mismatch").withSchemaValid(false);
        } else {
            o = Outcome.ok(round(1 - 0.45 * Math.pow(random.nextDouble(), 3), 1000));
        }
        double e = random.nextDouble();
        if (e < 0.03) {
            o = o.withEscalated(true);
        } else if (e < 0.04) {
            o = o.withFallback(true).withRetries(1 + random.nextInt(2));
        }
        double f = random.nextDouble();
        if (f < 0.015) {
            o = o.withFeedback(Rating.NEGATIVE);
        } else if (f < 0.055) {
            o = o.withFeedback(Rating.POSITIVE);
        }
        return o;
    }

    private Map<String, String> tags() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("env", random.nextDouble() < 0.9 ? "prod" : "staging");
        tags.put("tenant", "t-" + (100 + random.nextInt(200)));
        if (random.nextBoolean()) {
            tags.put("prompt", "v" + (1 + random.nextInt(12)));
        }
        return tags;
    }

    private static double round(double value, double scale) {
        return Math.round(value * scale) / scale;
    }
}
