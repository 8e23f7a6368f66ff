package io.tailaudit.server.analytics;

import io.tailaudit.server.analytics.TaskViews.DeploymentId;
import io.tailaudit.server.analytics.TaskViews.Projection;
import io.tailaudit.server.analytics.TaskViews.Spend;
import io.tailaudit.server.analytics.TaskViews.WhatIfAction;
import io.tailaudit.server.rollup.RollupKey.Deployment;
import io.tailaudit.server.rollup.TailAggregate;
import io.tailaudit.server.tail.CostModel;
import io.tailaudit.server.cost.CostSettings;
import io.tailaudit.server.tail.Proportions;
import io.tailaudit.server.tail.TaskSettings;
import io.tailaudit.server.tail.VisibleRate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * DESIGN's "What-if" for a task's busiest deployment b: what each action would cost per day on each side
 * and the visible-failure rate it would have, from what was measured (a canary of the task on the destination
 * side, the cohort's own rate for the part that stays). Only b's own traffic moves.
 */
final class WhatIfs {

    static final String MOVE_TO_CLOUD = "move_to_cloud";
    static final String MOVE_TO_LOCAL = "move_to_local";
    static final String ROUTE_OVER_8K_TO_CLOUD = "route_over_8k_to_cloud";
    static final List<String> ACTIONS = List.of(MOVE_TO_CLOUD, MOVE_TO_LOCAL, ROUTE_OVER_8K_TO_CLOUD);

    /**
     * b and what the projections read.
     *
     * @param days         the window's length D in days
     * @param upTo8k       b's traffic with <= 8k context tokens (visible failures over traces)
     * @param over8k       b's traffic with > 8k context tokens
     * @param cloudCanary  the task's busiest cloud deployment other than b, with its traffic and > 8k cohort
     * @param localCanary  likewise on the local side
     */
    record Inputs(Deployment busiest, TailAggregate traffic, double days, VisibleRate visible, VisibleRate upTo8k,
                  VisibleRate over8k, Optional<Canary> cloudCanary, Optional<Canary> localCanary,
                  TaskSettings settings, PriceBook prices) {
    }

    /** A canary: its deployment, its visible failures over all its traces and over its > 8k ones. */
    record Canary(Deployment deployment, VisibleRate visible, VisibleRate over8k) {
    }

    private WhatIfs() {
    }

    /** b's input share: input / (input + output) tokens, 0.8 without token counts. */
    static double inputShare(TailAggregate a) {
        long all = a.inputTokens() + a.outputTokens();
        return all == 0 ? CostModel.DEFAULT_INPUT_SHARE : a.inputTokens() / (double) all;
    }

    /** Today's spend of b, priced by the same cost model as the projections. */
    static Spend today(Inputs in) {
        double tokens = tokensPerDay(in);
        if (in.busiest().local()) {
            return spend(in, tokens, 0, Optional.empty(), true);
        }
        return spend(in, 0, tokens, in.prices().price(in.busiest().provider(), in.busiest().model())
                .map(p -> new Named(p, in.busiest().model())), false);
    }

    static WhatIfAction project(Inputs in, String action) {
        Deployment b = in.busiest();
        return switch (action) {
            case MOVE_TO_CLOUD -> !b.local()
                    ? notApplicable(action, "the busiest deployment (" + b.model() + ") is already in the cloud")
                    : moveAll(in, action, true);
            case MOVE_TO_LOCAL -> b.local()
                    ? notApplicable(action, "the busiest deployment (" + b.model() + ") is already local")
                    : moveAll(in, action, false);
            case ROUTE_OVER_8K_TO_CLOUD -> !b.local()
                    ? notApplicable(action, "routing the > 8k cohort to the cloud applies to a local deployment;"
                    + " the busiest one (" + b.model() + ") is in the cloud")
                    : in.over8k().traces() == 0
                    ? notApplicable(action, "no traffic of the busiest deployment has more than 8k context tokens"
                    + " in the window")
                    : route(in);
            default -> throw new IllegalArgumentException("unknown what-if action " + action);
        };
    }

    private static WhatIfAction moveAll(Inputs in, String action, boolean toCloud) {
        double tokens = tokensPerDay(in);
        Optional<Canary> canary = toCloud ? in.cloudCanary() : in.localCanary();
        List<String> notes = new ArrayList<>();
        Spend projected;
        DeploymentId destination;
        if (toCloud) {
            Named price = destinationPrice(in, notes);
            destination = cloudDestination(in, price);
            projected = spend(in, 0, tokens, Optional.ofNullable(price), false);
        } else {
            destination = canary.map(c -> TaskAnalytics.id(c.deployment())).orElse(new DeploymentId("local", null, null));
            projected = spend(in, tokens, 0, Optional.empty(), true);
        }
        Projection rate;
        double t = in.settings().tailThreshold();
        if (canary.isPresent() && canary.get().visible().traces() >= MIN_TRACES) {
            Canary c = canary.get();
            rate = measured(c.visible(), String.format(Locale.ROOT, "the %s canary %s, %,d traces",
                    toCloud ? "cloud" : "local", c.deployment().model(), c.visible().traces()));
        } else {
            rate = unmeasured(t);
            notes.add(canary.map(c -> String.format(Locale.ROOT, "the %s canary %s has %,d traces, fewer than %d:",
                            toCloud ? "cloud" : "local", c.deployment().model(), c.visible().traces(), MIN_TRACES))
                    .orElse("nothing of this task runs " + (toCloud ? "in the cloud" : "locally") + ":")
                    + String.format(Locale.ROOT, " the rate there is unmeasured; a canary of %,d traces would decide"
                    + " it against the %.1f%% threshold", rate.canarySizeToDecide(), 100 * t));
        }
        return new WhatIfAction(action, true, null, destination, projected, change(today(in), projected), rate,
                notes);
    }

    /**
     * b's > 8k cohort to the cloud, the rest stays local: projected rate w p_stay + (1 - w) p_dest, w the share
     * of b's traces with a known context at <= 8k, interval by MOVER from the two Wilson intervals.
     */
    private static WhatIfAction route(Inputs in) {
        List<String> notes = new ArrayList<>();
        double moved = (in.traffic().over8kInputTokens() + in.traffic().over8kOutputTokens()) / in.days();
        double staying = Math.max(0, tokensPerDay(in) - moved);
        Named price = destinationPrice(in, notes);
        Spend projected = spend(in, staying, moved, Optional.ofNullable(price), true);
        DeploymentId destination = cloudDestination(in, price);
        VisibleRate stay = in.upTo8k();
        VisibleRate go = in.over8k();
        double w = stay.traces() / (double) (stay.traces() + go.traces());
        Optional<VisibleRate> dest = Optional.empty();
        String source = null;
        if (in.cloudCanary().isPresent()) {
            Canary c = in.cloudCanary().get();
            if (c.over8k().traces() >= MIN_TRACES) {
                dest = Optional.of(c.over8k());
                source = String.format(Locale.ROOT, "the cloud canary %s's > 8k cohort, %,d traces",
                        c.deployment().model(), c.over8k().traces());
            } else if (c.visible().traces() >= MIN_TRACES) {
                dest = Optional.of(c.visible());
                source = String.format(Locale.ROOT, "the cloud canary %s over all its traffic (%,d traces; its > 8k"
                        + " cohort has %,d, fewer than %d)", c.deployment().model(), c.visible().traces(),
                        c.over8k().traces(), MIN_TRACES);
            }
        }
        notes.add(String.format(Locale.ROOT, "%.1f%% of the traces with a known context stay local (<= 8k), failing"
                + " visibly %.1f%%; the > 8k cohort moves: %s tokens/day", 100 * w, 100 * stay.rate(), tokens(moved)));
        double t = in.settings().tailThreshold();
        Projection rate;
        if (dest.isEmpty()) {
            rate = unmeasured(t);
            notes.add(String.format(Locale.ROOT, "the cloud side is unmeasured for this task: a cloud canary of %,d"
                    + " traces would decide it against the %.1f%% threshold", rate.canarySizeToDecide(), 100 * t));
        } else if (stay.traces() < MIN_TRACES) {
            rate = unmeasured(t);
            notes.add(String.format(Locale.ROOT, "the <= 8k cohort that stays has %,d traces, fewer than %d",
                    stay.traces(), MIN_TRACES));
        } else {
            VisibleRate d = dest.get();
            Proportions.Interval ci = Proportions.weightedSum(w, stay.rate(), stay.interval(), d.rate(), d.interval());
            rate = new Projection(w * stay.rate() + (1 - w) * d.rate(), ci.low(), ci.high(),
                    String.format(Locale.ROOT, "%.1f%% x the <= 8k cohort's own rate (%,d traces) + %.1f%% x %s; interval"
                            + " by MOVER (Zou and Donner 2008)", 100 * w, stay.traces(), 100 * (1 - w), source), null);
        }
        return new WhatIfAction(ROUTE_OVER_8K_TO_CLOUD, true, null, destination, projected,
                change(today(in), projected), rate, notes);
    }

    static final int MIN_TRACES = 30;

    private record Named(CostSettings.Price price, String model) {
    }

    /** The destination's cloud price: the cloud canary's model, else the reference model; null when unpriced. */
    private static Named destinationPrice(Inputs in, List<String> notes) {
        if (in.cloudCanary().isPresent()) {
            Deployment c = in.cloudCanary().get().deployment();
            Optional<CostSettings.Price> p = in.prices().price(c.provider(), c.model());
            if (p.isEmpty()) {
                notes.add("the cloud canary's model " + c.model() + " has no price in the price table: its cost is unpriced");
                return null;
            }
            return new Named(p.get(), c.model());
        }
        CostSettings.Price r = in.prices().reference();
        notes.add("no cloud canary: the cloud side is priced at the reference model " + r.model());
        return new Named(r, r.model());
    }

    /** Where cloud-bound traffic goes: the priced destination, else the unpriced cloud canary's model. */
    private static DeploymentId cloudDestination(Inputs in, Named price) {
        return price != null ? new DeploymentId("cloud", emptyToNull(price.price().provider()), price.model())
                : new DeploymentId("cloud", null, in.cloudCanary().orElseThrow().deployment().model());
    }

    /** @param servedLocally whether any traffic stays or goes local, which costs the fixed cost per day */
    private static Spend spend(Inputs in, double localTokens, double cloudTokens, Optional<Named> cloud,
                               boolean servedLocally) {
        CostModel gpu = in.prices().againstReference();
        double marginal = localTokens * gpu.localMarginalPerToken();
        double fixed = servedLocally ? gpu.localFixedPerDay() : 0;
        double share = inputShare(in.traffic());
        Double cloudCost = cloudTokens == 0 ? Double.valueOf(0) : cloud.map(n ->
                cloudTokens * (share * n.price().inputPerMtok() + (1 - share) * n.price().outputPerMtok()) / 1e6)
                .orElse(null);
        return new Spend(localTokens, cloudTokens, marginal, fixed, cloud.map(Named::model).orElse(null), cloudCost,
                cloudCost == null ? null : marginal + fixed + cloudCost);
    }

    private static Double change(Spend today, Spend projected) {
        return today.totalCostPerDay() == null || projected.totalCostPerDay() == null ? null
                : projected.totalCostPerDay() - today.totalCostPerDay();
    }

    private static Projection measured(VisibleRate v, String source) {
        Proportions.Interval ci = v.interval();
        return new Projection(v.rate(), ci.low(), ci.high(), source, null);
    }

    private static Projection unmeasured(double threshold) {
        long n = Proportions.canarySizeToDecide(threshold).orElse(0);
        return new Projection(null, null, null, "unmeasured", n);
    }

    private static WhatIfAction notApplicable(String action, String reason) {
        return new WhatIfAction(action, false, reason, null, null, null, null, List.of());
    }

    private static double tokensPerDay(Inputs in) {
        return (in.traffic().inputTokens() + in.traffic().outputTokens()) / in.days();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String tokens(double perDay) {
        return perDay >= 1_000_000 ? String.format(Locale.ROOT, "%.2fM", perDay / 1_000_000)
                : String.format(Locale.ROOT, "%,.0f", perDay);
    }
}
