package io.tailaudit.server.tail;

import java.util.OptionalDouble;

/**
 * The cost arithmetic of the seed's third question, from one snapshot of the price table's relevant
 * rows and the local settings. Cloud: list price per token at the task's input/output mix. Local: the
 * GPUs' hourly cost spread over their throughput (the marginal cost per token), plus a fixed monthly
 * cost per locally served task that only enters the break-even:
 * {@code break-even tokens/day = fixed cost per day / (cloud cost per token - local marginal cost per token)}.
 */
public record CostModel(double cloudInputPerMtok, double cloudOutputPerMtok, double gpuHourlyUsd, int gpus,
                        double throughputTokensPerS, double monthlyFixedUsd) {

    private static final double DAYS_PER_MONTH = 365.0 / 12;
    /** The input share of a deployment with no token counts in the window (DESIGN "Cost model"). */
    public static final double DEFAULT_INPUT_SHARE = 0.8;

    public CostModel {
        if (gpus < 1 || throughputTokensPerS <= 0) {
            throw new IllegalArgumentException("gpus must be >= 1 and throughput > 0");
        }
    }

    /** Cloud $ per token when {@code inputShare} of the tokens are input tokens. */
    public double cloudPerToken(double inputShare) {
        return (inputShare * cloudInputPerMtok + (1 - inputShare) * cloudOutputPerMtok) / 1e6;
    }

    /** Local $ per token at full GPU occupancy. */
    public double localMarginalPerToken() {
        return gpuHourlyUsd * gpus / (throughputTokensPerS * 3600);
    }

    public double localFixedPerDay() {
        return monthlyFixedUsd / DAYS_PER_MONTH;
    }

    /** Cost per day of {@code tokensPerDay} tokens in the cloud. */
    public double cloudPerDay(double tokensPerDay, double inputShare) {
        return tokensPerDay * cloudPerToken(inputShare);
    }

    /** Cost per day of {@code tokensPerDay} tokens served locally, the fixed cost included. */
    public double localPerDay(double tokensPerDay) {
        return localFixedPerDay() + tokensPerDay * localMarginalPerToken();
    }

    /**
     * Tokens per day above which local is cheaper; empty when the cloud is cheaper per token than the
     * local marginal cost, so local never pays off.
     */
    public OptionalDouble breakEvenTokensPerDay(double inputShare) {
        double saving = cloudPerToken(inputShare) - localMarginalPerToken();
        return saving <= 0 ? OptionalDouble.empty() : OptionalDouble.of(localFixedPerDay() / saving);
    }
}
