package io.tailaudit.server.demo;

import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Deployment;

import java.util.List;

/**
 * One seeded task x deployment of the demo and how its traffic behaves.
 *
 * @param perDay         traces (agent steps included) per day
 * @param latencyMs      median latency; spread is log-normal with {@code latencySigma}
 * @param inputTokens    mean input tokens (context included); output likewise
 * @param failRate       share of requests that fail visibly in some way (see {@link DemoGenerator}); for
 *                       LONG_CONTEXT, of those with up to 8k context tokens
 * @param over8kFailRate for LONG_CONTEXT, the share of requests with more than 8k context tokens that fail
 *                       (0 for the other shapes)
 * @param qualityMean    mean quality of successful requests
 * @param priceIn        cloud $ per 1M input tokens (0 for local, where cost_usd is left to the cost model)
 * @param shape          PLAIN, LONG_CONTEXT (30% of requests above 8k context, failing at their own rate) or
 *                       AGENT (chains whose errors compound)
 * @param drift          for a task whose scope drifts: the new kinds of request that take a share of its
 *                       inputs after the drift's onset; null for the others
 */
record DemoTask(String task, Category category, String service, Deployment deployment, int perDay,
                double latencyMs, double latencySigma, int inputTokens, int outputTokens, double failRate,
                double over8kFailRate, double qualityMean, double priceIn, double priceOut, Shape shape,
                List<String> prompts, Drift drift) {

    enum Shape { PLAIN, LONG_CONTEXT, AGENT }

    /** New kinds of request, {@code share} of the inputs from the onset on. */
    record Drift(double share, List<String> prompts) {
        Drift {
            prompts = List.copyOf(prompts);
        }
    }

    DemoTask {
        prompts = List.copyOf(prompts);
    }

    /** A task whose scope does not drift. */
    DemoTask(String task, Category category, String service, Deployment deployment, int perDay, double latencyMs,
             double latencySigma, int inputTokens, int outputTokens, double failRate, double over8kFailRate,
             double qualityMean, double priceIn, double priceOut, Shape shape, List<String> prompts) {
        this(task, category, service, deployment, perDay, latencyMs, latencySigma, inputTokens, outputTokens, failRate,
                over8kFailRate, qualityMean, priceIn, priceOut, shape, prompts, null);
    }

    /** The same traffic under another task id (a test's own task). */
    DemoTask named(String name) {
        return new DemoTask(name, category, service, deployment, perDay, latencyMs, latencySigma, inputTokens,
                outputTokens, failRate, over8kFailRate, qualityMean, priceIn, priceOut, shape, prompts, drift);
    }
}
