package io.tailaudit.server.analytics;

import io.tailaudit.server.rollup.RollupKey;
import io.tailaudit.server.rollup.TailAggregate;
import io.tailaudit.server.cost.CostSettings;
import io.tailaudit.server.tail.CostModel;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One read of the price table and the local GPU settings, for pricing every deployment of a request
 * without a query per deployment.
 */
final class PriceBook {

    private final Map<String, CostSettings.Price> prices = new HashMap<>();
    private final CostSettings.Local local;
    private final CostSettings.Price reference;

    public PriceBook(CostSettings settings) {
        settings.prices().forEach(p -> prices.put(p.provider() + '\u0000' + p.model(), p));
        this.local = settings.local();
        this.reference = price(local.referenceProvider(), local.referenceModel()).orElseThrow(() ->
                new IllegalStateException("the reference model " + local.referenceModel() + " has no price"));
    }

    /** The provider's own row, else a provider-less row for that model. */
    public Optional<CostSettings.Price> price(String provider, String model) {
        CostSettings.Price p = prices.get((provider == null ? "" : provider) + '\u0000' + model);
        return Optional.ofNullable(p != null ? p : prices.get("\u0000" + model));
    }

    public CostSettings.Local local() {
        return local;
    }

    public CostSettings.Price reference() {
        return reference;
    }

    /** The local GPUs against one cloud model's list price. */
    public record Priced(CostModel model, String cloudModel) {
    }

    /**
     * The cost model a deployment's break-even and cost verdicts use (DESIGN "Cost model", "Precisely"): a
     * cloud deployment at its own model's price, a local one at its task's cloud canary's model's (the
     * busiest cloud deployment of the task) or else the reference model's. Empty when that model has no
     * price: the cost is then unpriced and drives no verdict.
     */
    public Optional<Priced> modelFor(RollupKey.Deployment d, Optional<RollupKey.Deployment> cloudCanary) {
        if (!d.local()) {
            return price(d.provider(), d.model()).map(p -> new Priced(model(p), d.model()));
        }
        if (cloudCanary.isPresent()) {
            RollupKey.Deployment c = cloudCanary.get();
            return price(c.provider(), c.model()).map(p -> new Priced(model(p), c.model()));
        }
        return Optional.of(new Priced(againstReference(), reference.model()));
    }

    /** The local GPUs against the reference model: the GPU side of any deployment, priced or not. */
    public CostModel againstReference() {
        return model(reference);
    }

    private CostModel model(CostSettings.Price cloud) {
        return new CostModel(cloud.inputPerMtok(), cloud.outputPerMtok(), local.gpuHourlyUsd(), local.gpus(),
                local.throughputTokensPerS(), local.monthlyFixedUsd());
    }

    /**
     * What the window's traffic cost, in $: {@code cost_usd} where the traces gave it, else the price table
     * (cloud) or the GPUs' marginal cost (local). Empty when cloud tokens have no price.
     */
    public Optional<Double> actualCost(RollupKey.Deployment d, TailAggregate a) {
        if (d.local()) {
            double marginal = local.gpuHourlyUsd() * local.gpus() / (local.throughputTokensPerS() * 3600);
            return Optional.of(a.pricedCostUsd() + (a.unpricedInputTokens() + a.unpricedOutputTokens()) * marginal);
        }
        if (a.unpricedInputTokens() + a.unpricedOutputTokens() == 0) {
            return Optional.of(a.pricedCostUsd());
        }
        return price(d.provider(), d.model()).map(p -> a.pricedCostUsd()
                + a.unpricedInputTokens() * p.inputPerMtok() / 1e6 + a.unpricedOutputTokens() * p.outputPerMtok() / 1e6);
    }
}
