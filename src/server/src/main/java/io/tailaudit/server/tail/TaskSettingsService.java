package io.tailaudit.server.tail;

import io.tailaudit.sdk.Category;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Reads a task's effective settings and applies validated changes. */
@ApplicationScoped
public class TaskSettingsService {

    private static final Set<String> FIELDS = Set.of("category", "quality_floor", "latency_budget_ms",
            "tail_absorbable", "scope_constrained", "tail_threshold");
    private static final Set<String> CATEGORIES = Arrays.stream(Category.values()).map(Category::wire)
            .collect(Collectors.toUnmodifiableSet());

    private final TaskSettingsRepository rows;
    private final DataSource dataSource;
    private final Clock clock;

    TaskSettingsService(TaskSettingsRepository rows, DataSource dataSource, Clock clock) {
        this.rows = rows;
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Empty when the task has neither traces nor settings. */
    public Optional<TaskSettings> find(String task) throws SQLException {
        Optional<String> observed = observedCategory(task);
        TaskSettingsRow row = rows.findById(task);
        if (observed.isEmpty() && row == null) {
            return Optional.empty();
        }
        return Optional.of(TaskSettings.effective(task, observed.orElse(null), row));
    }

    /** The effective settings of a task whose traces report {@code observedCategory}; reads no traces. */
    public TaskSettings effective(String task, String observedCategory) {
        return TaskSettings.effective(task, observedCategory, rows.findById(task));
    }

    /** Effective settings of many tasks (task -> the category its traces report) in one read. */
    public Map<String, TaskSettings> effective(Map<String, String> observedCategories) {
        Map<String, TaskSettingsRow> stored = new java.util.HashMap<>();
        rows.listAll().forEach(r -> stored.put(r.task, r));
        Map<String, TaskSettings> out = new java.util.HashMap<>();
        observedCategories.forEach((task, category) ->
                out.put(task, TaskSettings.effective(task, category, stored.get(task))));
        return out;
    }

    /** Validates every field first, then saves; nothing is saved when one field is bad. */
    @Transactional
    public TaskSettings change(String task, TaskSettings.Change change) throws SQLException {
        validate(change);
        TaskSettingsRow row = rows.findById(task);
        if (row == null) {
            row = new TaskSettingsRow();
            row.task = task;
        }
        if (change.category() != null) row.category = change.category();
        if (change.qualityFloor() != null) row.qualityFloor = change.qualityFloor();
        if (change.latencyBudgetMs() != null) row.latencyBudgetMs = change.latencyBudgetMs();
        if (change.tailAbsorbable() != null) row.tailAbsorbable = change.tailAbsorbable();
        if (change.scopeConstrained() != null) row.scopeConstrained = change.scopeConstrained();
        if (change.tailThreshold() != null) row.tailThreshold = change.tailThreshold();
        for (String field : change.reset() == null ? Set.<String>of() : change.reset()) {
            switch (field) {
                case "category" -> row.category = null;
                case "quality_floor" -> row.qualityFloor = null;
                case "latency_budget_ms" -> row.latencyBudgetMs = null;
                case "tail_absorbable" -> row.tailAbsorbable = null;
                case "scope_constrained" -> row.scopeConstrained = null;
                default -> row.tailThreshold = null;
            }
        }
        row.updatedAt = clock.instant();
        rows.persist(row);
        return TaskSettings.effective(task, observedCategory(task).orElse(null), row);
    }

    private static void validate(TaskSettings.Change c) {
        if (c.category() != null && !CATEGORIES.contains(c.category())) {
            throw new InvalidSettingException("category", "category must be one of " + new java.util.TreeSet<>(CATEGORIES)
                    + ", got '" + c.category() + "'");
        }
        if (c.qualityFloor() != null && !(c.qualityFloor() >= 0 && c.qualityFloor() <= 1)) {
            throw new InvalidSettingException("quality_floor", "quality_floor must be in [0, 1], got " + c.qualityFloor());
        }
        if (c.latencyBudgetMs() != null && !(c.latencyBudgetMs() > 0 && c.latencyBudgetMs() <= 3_600_000)) {
            throw new InvalidSettingException("latency_budget_ms",
                    "latency_budget_ms must be > 0 and at most 3600000, got " + c.latencyBudgetMs());
        }
        if (c.tailThreshold() != null && !(c.tailThreshold() > 0 && c.tailThreshold() < 1)) {
            throw new InvalidSettingException("tail_threshold", "tail_threshold must be in (0, 1), got " + c.tailThreshold());
        }
        if (c.reset() != null) {
            for (String field : c.reset()) {
                if (!FIELDS.contains(field)) {
                    throw new InvalidSettingException("reset", "reset names unknown field '" + field + "'; fields are "
                            + new java.util.TreeSet<>(FIELDS));
                }
            }
        }
    }

    /** The category the task's newest trace reports (one row through the (task, occurred_at) index). */
    private Optional<String> observedCategory(String task) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT category FROM trace WHERE task = ? ORDER BY occurred_at DESC LIMIT 1")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
