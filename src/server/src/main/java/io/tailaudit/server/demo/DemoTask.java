package io.tailaudit.server.demo;

import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Deployment;

import java.util.List;

/**
 * One seeded task x deployment of the demo and how its traffic behaves.
 *
 * @param perDay        traces (agent steps included) per day
 * @param latencyMs     median latency; spread is log-normal with {@code latencySigma}
 * @param inputTokens   mean input tokens (context included); output likewise
 * @param failRate      share of requests that fail visibly in some way (see {@link DemoGenerator})
 * @param qualityMean   mean quality of successful requests
 * @param priceIn       cloud $ per 1M input tokens (0 for local, where cost_usd is left to the cost model)
 * @param shape         PLAIN, LONG_CONTEXT (failures above 8k context) or AGENT (chains whose errors compound)
 */
record DemoTask(String task, Category category, String service, Deployment deployment, int perDay,
                double latencyMs, double latencySigma, int inputTokens, int outputTokens, double failRate,
                double qualityMean, double priceIn, double priceOut, Shape shape, List<String> prompts) {

    enum Shape { PLAIN, LONG_CONTEXT, AGENT }

    DemoTask {
        prompts = List.copyOf(prompts);
    }
}
