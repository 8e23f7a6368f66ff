package io.tailaudit.server.tail;

import java.util.Optional;

/**
 * The numbers a verdict rests on for one task deployment in one window.
 *
 * @param local            whether the deployment is local (else cloud)
 * @param model            the deployment's model, for the sentences
 * @param traces           traces in the window
 * @param tokensPerDay     (input + output) tokens / window length in days
 * @param inputShare       input tokens / all tokens, for the cloud price at this task's mix
 * @param visible          visible failures over all the deployment's traces: what the verdict decides on
 * @param tail             the worst-5% slice of the whole deployment: the evidence of what the tail looks like
 * @param upTo8k           visible failures of the traces with <= 8k context tokens, when any
 * @param over8k           visible failures of the traces with > 8k context tokens, when any
 * @param drift            the task's scope drift over the window, or why it is not measured
 */
public record DeploymentEvidence(String task, boolean local, String model, long traces, double tokensPerDay,
                                 double inputShare, VisibleRate visible, QualityHistogram.WorstSlice tail,
                                 Optional<VisibleRate> upTo8k, Optional<VisibleRate> over8k,
                                 ScopeDrift drift) {
}
