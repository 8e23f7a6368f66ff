package io.tailaudit.server.demo;

import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.DeploymentKind;
import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Rating;
import io.tailaudit.sdk.Status;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.Usage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Generates a task's traffic for a time slice: traces and, for some of them, later feedback (a few
 * feedback events are emitted before their trace, as happens when a trace is delayed). Not thread-safe.
 */
final class DemoGenerator {

    private static final String[] TENANTS = {"acme", "globex", "initech", "umbrella"};
    private static final String[] LANGUAGES = {"en", "en", "en", "de", "fr", "ja"};
    private static final String[] PLANS = {"free", "pro", "enterprise"};

    private final Random random;
    private final double speed;
    private final Instant driftOnset;

    /** {@code driftOnset}: from when a drifting task's new kinds of request appear among its inputs. */
    DemoGenerator(Random random, double speed, Instant driftOnset) {
        this.random = random;
        this.speed = speed;
        this.driftOnset = driftOnset;
    }

    /** Events (Trace or Feedback) of {@code task} that started in [from, to), in send order. */
    List<Object> between(DemoTask task, Instant from, Instant to) {
        double expected = task.perDay() * speed * Duration.between(from, to).toMillis() / 86_400_000.0;
        int n = (int) expected + (random.nextDouble() < expected - (int) expected ? 1 : 0);
        List<Object> out = new ArrayList<>(n + 4);
        long span = Math.max(1, Duration.between(from, to).toMillis());
        int made = 0;
        while (made < n) {
            Instant at = from.plusMillis((long) (random.nextDouble() * span));
            if (task.shape() == DemoTask.Shape.AGENT) {
                made += session(task, at, out);
            } else {
                single(task, at, null, null, 0, out);
                made++;
            }
        }
        return out;
    }

    private int session(DemoTask task, Instant start, List<Object> out) {
        int steps = 3 + random.nextInt(4);
        String session = "sess-" + UUID.randomUUID();
        String parent = null;
        Instant at = start;
        for (int step = 1; step <= steps; step++) {
            Trace t = single(task, at, session, parent, step, out);
            boolean failed = t.outcome().status() != Status.OK;
            parent = t.traceId();
            at = at.plusMillis((long) t.latencyMs() + 50);
            if (failed) {
                return step;
            }
        }
        return steps;
    }

    private Trace single(DemoTask task, Instant at, String session, String parent, int step, List<Object> out) {
        int input = tokens(task.inputTokens());
        Integer context = null;
        double failP = task.failRate();
        if (task.shape() == DemoTask.Shape.LONG_CONTEXT) {
            // the seed: 7B-13B local models lose the thread above 8k (8,192) tokens of context
            context = random.nextDouble() < 0.3 ? 8_193 + random.nextInt(8_000) : 1_000 + random.nextInt(7_192);
            input = context + 200 + random.nextInt(300);
            failP = context > 8_192 ? task.over8kFailRate() : task.failRate();
        } else if (task.shape() == DemoTask.Shape.AGENT && task.deployment().kind() == DeploymentKind.LOCAL) {
            failP = Math.min(0.9, task.failRate() * step);      // errors accumulate along the chain
        } else if (input > 200) {
            context = (int) (input * 0.6);
        }
        int output = tokens(task.outputTokens());
        double latency = task.latencyMs() * Math.exp(task.latencySigma() * random.nextGaussian());
        String traceId = UUID.randomUUID().toString();
        Outcome outcome = Outcome.ok(quality(task.qualityMean()));
        Feedback later = null;
        boolean feedbackFirst = false;
        if (random.nextDouble() < failP) {
            double mode = random.nextDouble();
            boolean absorbable = task.category() == Category.AUTOCOMPLETE || task.category() == Category.KEYBOARD;
            if (absorbable) {
                outcome = Outcome.ok(0.05 + random.nextDouble() * 0.3);      // a suggestion nobody accepted
            } else if (mode < 0.25) {
                outcome = Outcome.failed(Status.ERROR, pick("context_overflow", "oom", "bad_gateway")).withRetries(random.nextInt(3));
            } else if (mode < 0.35) {
                outcome = Outcome.failed(Status.TIMEOUT, "deadline_exceeded");
                latency = Math.max(latency, task.latencyMs() * 6);
            } else if (mode < 0.6) {
                outcome = Outcome.ok(0.2 + random.nextDouble() * 0.25).withEscalated(true);
            } else if (mode < 0.85) {
                outcome = Outcome.ok(0.3 + random.nextDouble() * 0.3);
                later = Feedback.rating(traceId, task.task(), at.plusSeconds(60 + random.nextInt(900)), Rating.NEGATIVE);
                feedbackFirst = random.nextDouble() < 0.05;
            } else if (task.category() == Category.EXTRACTION) {
                outcome = Outcome.ok(0.3).withSchemaValid(false);
            } else {
                outcome = Outcome.ok(0.1 + random.nextDouble() * 0.35);
            }
        } else if (task.category() == Category.CHAT && random.nextDouble() < 0.03) {
            later = Feedback.rating(traceId, task.task(), at.plusSeconds(30 + random.nextInt(600)), Rating.POSITIVE);
        }
        Trace.Builder b = Trace.builder(task.task(), task.category())
                .traceId(traceId).occurredAt(at).service(task.service())
                .deployment(task.deployment().withModelVersion(version(task)))
                .latencyMs(round(latency)).ttftMs(round(latency * (task.outputTokens() > 50 ? 0.25 : 0.6)))
                .usage(new Usage(input, output, context)).outcome(outcome)
                .tags(Map.of("tenant", pick(TENANTS), "language", pick(LANGUAGES), "plan", pick(PLANS)))
                .input(String.format(pick(prompts(task, at)), 10_000 + random.nextInt(90_000)))
                .output(outcome.status() == Status.OK ? "Here is what I found: ..." : "");
        if (session != null) {
            b.sessionId(session).step(step);
            if (parent != null) {
                b.parentTraceId(parent);
            }
        }
        if (task.priceIn() > 0 && random.nextDouble() < 0.8) {
            b.costUsd((input * task.priceIn() + output * task.priceOut()) / 1_000_000.0);
        }
        Trace trace = b.build();
        if (later != null && feedbackFirst) {
            out.add(later);
        }
        out.add(trace);
        if (later != null && !feedbackFirst) {
            out.add(later);
        }
        return trace;
    }

    private String[] prompts(DemoTask task, Instant at) {
        if (task.drift() != null && !at.isBefore(driftOnset) && random.nextDouble() < task.drift().share()) {
            return task.drift().prompts().toArray(String[]::new);
        }
        return task.prompts().toArray(String[]::new);
    }

    private String version(DemoTask task) {
        if (task.deployment().kind() == DeploymentKind.CLOUD) {
            return "2025-08-06";
        }
        return random.nextDouble() < 0.7 ? "2025-12" : "2025-10";
    }

    private int tokens(int mean) {
        return Math.max(1, (int) Math.round(mean * (1 + 0.3 * random.nextGaussian())));
    }

    private double quality(double mean) {
        return Math.max(0.5, Math.min(1.0, mean + 0.07 * random.nextGaussian()));
    }

    private String pick(String... values) {
        return values[random.nextInt(values.length)];
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
