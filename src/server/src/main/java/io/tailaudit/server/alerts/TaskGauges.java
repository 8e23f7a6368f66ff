package io.tailaudit.server.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tailaudit.server.analytics.TaskViews;

import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Per-task gauges of the tail metrics over the last 24 hours, for Grafana: the visible-failure rate the
 * verdict decides on, with its interval bounds, and the task's tail threshold T it is held against; the
 * worst-5% visible-failure rate with its bounds; escalation rate, traces, cost per day. Cardinality is
 * bounded: only the {@code max} busiest tasks get a series, labelled by task alone; the others are left
 * out (the console and the API have them all). Updated by the alert evaluator each cycle.
 */
final class TaskGauges {

    private final int max;
    private final MultiGauge visible;
    private final MultiGauge visibleLow;
    private final MultiGauge visibleHigh;
    private final MultiGauge worst5;
    private final MultiGauge worst5Low;
    private final MultiGauge worst5High;
    private final MultiGauge escalation;
    private final MultiGauge traces;
    private final MultiGauge costPerDay;
    private final MultiGauge tailThreshold;

    TaskGauges(MeterRegistry registry, int max) {
        this.max = max;
        visible = MultiGauge.builder("tailaudit.task.visible.failure.rate")
                .description("Visible failures / traces of the task's busiest deployment, last 24 h")
                .register(registry);
        visibleLow = MultiGauge.builder("tailaudit.task.visible.failure.rate.low")
                .description("Lower bound of its Wilson 95% interval").register(registry);
        visibleHigh = MultiGauge.builder("tailaudit.task.visible.failure.rate.high")
                .description("Upper bound of its Wilson 95% interval").register(registry);
        worst5 = MultiGauge.builder("tailaudit.task.worst5.visible.failure.rate")
                .description("Worst-5% visible-failure rate of the task's busiest deployment, last 24 h")
                .register(registry);
        worst5Low = MultiGauge.builder("tailaudit.task.worst5.visible.failure.rate.low")
                .description("Lower bound of its Wilson 95% interval").register(registry);
        worst5High = MultiGauge.builder("tailaudit.task.worst5.visible.failure.rate.high")
                .description("Upper bound of its Wilson 95% interval").register(registry);
        escalation = MultiGauge.builder("tailaudit.task.escalation.rate")
                .description("Escalation rate of the task's busiest deployment, last 24 h").register(registry);
        traces = MultiGauge.builder("tailaudit.task.traces")
                .description("Traces of the task's busiest deployment, last 24 h").register(registry);
        costPerDay = MultiGauge.builder("tailaudit.task.cost.per.day").baseUnit("usd")
                .description("Cost per day of the task's busiest deployment, last 24 h").register(registry);
        tailThreshold = MultiGauge.builder("tailaudit.task.tail.threshold")
                .description("The task's tail threshold T: its own setting, else the default").register(registry);
    }

    /** {@code threshold}: each task's tail threshold T, from its effective settings. */
    void update(TaskViews.TaskList list, Function<TaskViews.TaskSummary, Double> threshold) {
        List<TaskViews.TaskSummary> top = list.tasks().stream()
                .sorted(Comparator.comparingLong(TaskViews.TaskSummary::traces).reversed()).limit(max).toList();
        set(visible, top, t -> t.visibleFailureRate().rate());
        set(visibleLow, top, t -> t.visibleFailureRate().low());
        set(visibleHigh, top, t -> t.visibleFailureRate().high());
        set(worst5, top, t -> t.worst5VisibleFailureRate().rate());
        set(worst5Low, top, t -> t.worst5VisibleFailureRate().low());
        set(worst5High, top, t -> t.worst5VisibleFailureRate().high());
        set(escalation, top, t -> t.escalationRate().rate());
        set(traces, top, t -> (double) t.traces());
        set(costPerDay, top.stream().filter(t -> t.costPerDay() != null).toList(), TaskViews.TaskSummary::costPerDay);
        set(tailThreshold, top, threshold);
    }

    private static void set(MultiGauge gauge, List<TaskViews.TaskSummary> tasks,
                            Function<TaskViews.TaskSummary, Double> value) {
        gauge.register(tasks.stream().map(t -> MultiGauge.Row.of(Tags.of("task", t.task()), value.apply(t)))
                .toList(), true);
    }
}
