package io.tailaudit.server.settings;

import io.tailaudit.sdk.Category;
import io.tailaudit.server.db.StorageException;
import io.tailaudit.server.tail.CategoryDefaults;
import io.tailaudit.server.tail.InvalidSettingException;
import io.tailaudit.server.tail.TaskSettings;
import io.tailaudit.server.trace.TraceQueries;
import io.tailaudit.server.trace.TraceStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

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
            "tail_absorbable", "scope_constrained", "tail_threshold", "store_text");
    private static final Set<String> CATEGORIES = Arrays.stream(Category.values()).map(Category::wire)
            .collect(Collectors.toUnmodifiableSet());

    private static final Logger LOG = Logger.getLogger(TaskSettingsService.class);

    private final TaskSettingsRepository rows;
    private final TraceQueries traces;
    private final DataSource dataSource;
    private final Clock clock;

    TaskSettingsService(TaskSettingsRepository rows, TraceQueries traces, DataSource dataSource, Clock clock) {
        this.rows = rows;
        this.traces = traces;
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Empty when the task has neither traces nor settings. */
    public Optional<TaskSettings> find(String task) {
        Optional<String> observed = traces.latestCategory(task);
        TaskSettingsRow row = rows.findById(task);
        if (observed.isEmpty() && row == null) {
            return Optional.empty();
        }
        return Optional.of(effective(task, observed.orElse(null), row));
    }

    /** The effective settings of a task whose traces report {@code observedCategory}; reads no traces. */
    public TaskSettings effective(String task, String observedCategory) {
        return effective(task, observedCategory, rows.findById(task));
    }

    /** Effective settings of many tasks (task -> the category its traces report) in one read. */
    public Map<String, TaskSettings> effective(Map<String, String> observedCategories) {
        Map<String, TaskSettingsRow> stored = new java.util.HashMap<>();
        rows.listAll().forEach(r -> stored.put(r.task, r));
        Map<String, TaskSettings> out = new java.util.HashMap<>();
        observedCategories.forEach((task, category) ->
                out.put(task, effective(task, category, stored.get(task))));
        return out;
    }

    /** Validates every field first, then saves; nothing is saved when one field is bad. */
    @Transactional
    public TaskSettings change(String task, TaskSettings.Change change) {
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
        if (change.storeText() != null) row.storeText = change.storeText();
        for (String field : change.reset() == null ? Set.<String>of() : change.reset()) {
            switch (field) {
                case "category" -> row.category = null;
                case "quality_floor" -> row.qualityFloor = null;
                case "latency_budget_ms" -> row.latencyBudgetMs = null;
                case "tail_absorbable" -> row.tailAbsorbable = null;
                case "scope_constrained" -> row.scopeConstrained = null;
                case "store_text" -> row.storeText = null;
                default -> row.tailThreshold = null;
            }
        }
        row.updatedAt = clock.instant();
        rows.persist(row);
        if (Boolean.FALSE.equals(row.storeText)) {
            // in this transaction: once the change is visible, the task holds no text (ingest reads the
            // setting in its own batch transaction; the index role drops the documents within seconds)
            try (Connection c = dataSource.getConnection()) {
                long erased = TraceStore.eraseText(c, task);
                if (erased > 0) {
                    LOG.infof("task %s stores no text: erased the input and output text of %,d stored traces", task,
                            erased);
                }
            } catch (SQLException e) {
                throw new StorageException(e);
            }
        }
        return effective(task, traces.latestCategory(task).orElse(null), row);
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

    /** Overrides over the defaults of the effective category. */
    private static TaskSettings effective(String task, String observedCategory, TaskSettingsRow row) {
        String category = row != null && row.category != null ? row.category : observedCategory;
        CategoryDefaults d = CategoryDefaults.of(Category.fromWire(category == null ? "other" : category));
        java.util.Set<String> overridden = new java.util.TreeSet<>();
        if (row != null) {
            if (row.category != null) overridden.add("category");
            if (row.qualityFloor != null) overridden.add("quality_floor");
            if (row.latencyBudgetMs != null) overridden.add("latency_budget_ms");
            if (row.tailAbsorbable != null) overridden.add("tail_absorbable");
            if (row.scopeConstrained != null) overridden.add("scope_constrained");
            if (row.tailThreshold != null) overridden.add("tail_threshold");
            if (row.storeText != null) overridden.add("store_text");
        }
        return new TaskSettings(task, category == null ? "other" : category, observedCategory,
                row != null && row.qualityFloor != null ? row.qualityFloor : CategoryDefaults.QUALITY_FLOOR,
                row != null && row.latencyBudgetMs != null ? row.latencyBudgetMs : d.latencyBudgetMs(),
                row != null && row.tailAbsorbable != null ? row.tailAbsorbable : d.tailAbsorbable(),
                row != null && row.scopeConstrained != null ? row.scopeConstrained : d.scopeConstrained(),
                row != null && row.tailThreshold != null ? row.tailThreshold : CategoryDefaults.TAIL_THRESHOLD,
                row == null || row.storeText == null || row.storeText, overridden);
    }

    /**
     * The tasks that store no text ({@code store_text} false), read on the caller's connection: ingest reads
     * them in each batch's own transaction, so a batch that commits after the setting does stores no text.
     */
    public static Set<String> textless(Connection c) throws SQLException {
        Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement st = c.prepareStatement("SELECT task FROM task_settings WHERE store_text = false");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** {@link #textless(Connection)} on a connection of its own. */
    public Set<String> textless() {
        try (Connection c = dataSource.getConnection()) {
            return textless(c);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Changes whenever a task's settings do: the latest change's time. For caches of what reads them. */
    public static String version(Connection c) throws SQLException {
        return io.tailaudit.server.db.SingleValue.text(c, "SELECT max(updated_at)::text FROM task_settings");
    }
}
