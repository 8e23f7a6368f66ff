package io.tailaudit.server.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tailaudit.server.analytics.TaskViews;

import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Per-task gauges of the tail metrics over the last 24 hours, for Grafana: worst-5% visible-failure rate
 * and its interval bounds, escalation rate, traces, cost per day. Cardinality is bounded: only the
 * {@code max} busiest tasks get a series, labelled by task alone; the others are left out (the console and
 * the API have them all). Updated by the alert evaluator each cycle.
 */
final class TaskGauges {

    private final int max;
    private final MultiGauge worst5;
    private final MultiGauge worst5Low;
    private final MultiGauge worst5High;
    private final MultiGauge escalation;
    private final MultiGauge traces;
    private final MultiGauge costPerDay;

    TaskGauges(MeterRegistry registry, int max) {
        this.max = max;
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
    }

    void update(TaskViews.TaskList list) {
        List<TaskViews.TaskSummary> top = list.tasks().stream()
                .sorted(Comparator.comparingLong(TaskViews.TaskSummary::traces).reversed()).limit(max).toList();
        set(worst5, top, t -> t.worst5VisibleFailureRate().rate());
        set(worst5Low, top, t -> t.worst5VisibleFailureRate().low());
        set(worst5High, top, t -> t.worst5VisibleFailureRate().high());
        set(escalation, top, t -> t.escalationRate().rate());
        set(traces, top, t -> (double) t.traces());
        set(costPerDay, top.stream().filter(t -> t.costPerDay() != null).toList(), TaskViews.TaskSummary::costPerDay);
    }

    private static void set(MultiGauge gauge, List<TaskViews.TaskSummary> tasks,
                            Function<TaskViews.TaskSummary, Double> value) {
        gauge.register(tasks.stream().map(t -> MultiGauge.Row.of(Tags.of("task", t.task()), value.apply(t)))
                .toList(), true);
    }
}
