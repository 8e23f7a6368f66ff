package io.tailaudit.server.rollup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Maps a trace to the cohorts it counts in, keeping the cohort rollups bounded: per task, at most
 * {@code maxValues} values per dimension (first come, first kept; later ones count as {@link Cohort#OTHER})
 * and at most {@code maxValues} tag keys. A value once kept stays kept and a value once refused stays
 * refused, so a feedback correction lands in the cohort its trace was counted in. The cap is per replica
 * in memory and shared through {@code tail_cohort_value}; two replicas racing for the last free place
 * may exceed it by one each. Used by the single ingest writer thread.
 */
public final class CohortValues {

    static final int MAX_VALUE_CHARS = 100;
    private static final String TAG_KEYS = "tag";

    private static final String LOAD = "SELECT dimension, value FROM tail_cohort_value WHERE task = ?";
    private static final String SAVE = """
            INSERT INTO tail_cohort_value (task, dimension, value)
            SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) ON CONFLICT DO NOTHING""";

    private final int maxValues;
    private final Map<String, TaskValues> known = new HashMap<>();
    private final List<String[]> unsaved = new ArrayList<>();

    /** One dimension of a task: its kept values, each with the one cohort instance ingest hands out for it. */
    private static final class Dimension {
        final String name;
        final Map<String, Cohort> kept = new HashMap<>();
        final Cohort other;

        Dimension(String name) {
            this.name = name;
            this.other = new Cohort(name, Cohort.OTHER);
        }
    }

    /**
     * A task's dimensions. The cohorts are handed out as the same instances trace after trace, so the maps a
     * batch accumulates them in hash cached strings and compare by identity: a trace counts in four to six
     * cohorts, and building and hashing them anew took a fifth of the rollup builder's time.
     */
    static final class TaskValues {
        final Map<String, Dimension> dimensions = new HashMap<>();
        /** The tag dimensions ("tag:" + key) by tag key, for the keys kept. */
        final Map<String, Dimension> tags = new HashMap<>();
        /** The step cohorts by step, as decided once. */
        final Map<Integer, Cohort> steps = new HashMap<>();

        Dimension dimension(String name) {
            return dimensions.computeIfAbsent(name, Dimension::new);
        }
    }

    private static final Map<String, Cohort> CONTEXT_COHORTS = java.util.stream.Stream
            .of("unknown", "<=2k", "2-4k", "4-8k", Cohort.OVER_8K)
            .collect(java.util.stream.Collectors.toUnmodifiableMap(b -> b, b -> new Cohort(Cohort.CONTEXT, b)));

    public CohortValues(int maxValues) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("tailaudit.rollup.cohort-values must be at least 1, got " + maxValues);
        }
        this.maxValues = maxValues;
    }

    /** The cohorts of one trace: context bucket, step, model version and each tag (capped). */
    public List<Cohort> of(Connection c, String task, Integer contextTokens, Integer inputTokens, Integer step,
                           String modelVersion, SortedMap<String, String> tags) throws SQLException {
        return of(values(c, task), task, contextTokens, inputTokens, step, modelVersion, tags);
    }

    /** Reads the kept values of the tasks not known yet, so that finding their cohorts needs no connection. */
    public void load(Connection c, Collection<String> tasks) throws SQLException {
        for (String task : tasks) {
            values(c, task);
        }
    }

    /** The cohorts of one trace of a task {@link #load loaded} before: needs no connection. */
    public List<Cohort> of(String task, Integer contextTokens, Integer inputTokens, Integer step, String modelVersion,
                           SortedMap<String, String> tags) {
        TaskValues values = known.get(task);
        if (values == null) {
            throw new IllegalStateException("the cohort values of task " + task + " were not loaded");
        }
        return of(values, task, contextTokens, inputTokens, step, modelVersion, tags);
    }

    private List<Cohort> of(TaskValues values, String task, Integer contextTokens, Integer inputTokens,
                            Integer step, String modelVersion, SortedMap<String, String> tags) {
        List<Cohort> out = new ArrayList<>(4 + (tags == null ? 0 : tags.size()));
        out.add(CONTEXT_COHORTS.get(Cohort.contextBucket(contextTokens, inputTokens)));
        if (step != null) {
            Cohort s = values.steps.get(step);
            if (s == null) {
                s = capped(values.dimension(Cohort.STEP), task, Integer.toString(step));
                values.steps.put(step, s);
            }
            out.add(s);
        }
        if (modelVersion != null) {
            out.add(capped(values.dimension(Cohort.MODEL_VERSION), task, modelVersion));
        }
        if (tags != null) {
            for (Map.Entry<String, String> t : tags.entrySet()) {
                Dimension tag = values.tags.get(t.getKey());
                if (tag == null && keep(values.dimension(TAG_KEYS), task, t.getKey()) != null) {
                    tag = values.dimension(Cohort.TAG_PREFIX + t.getKey());
                    values.tags.put(t.getKey(), tag);
                }
                if (tag != null) {
                    out.add(capped(tag, task, t.getValue()));
                }
            }
        }
        return out;
    }

    /** Stores the values first kept since the last save, in the caller's transaction. */
    public void save(Connection c) throws SQLException {
        if (unsaved.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(SAVE)) {
            ps.setArray(1, c.createArrayOf("text", unsaved.stream().map(v -> v[0]).toArray()));
            ps.setArray(2, c.createArrayOf("text", unsaved.stream().map(v -> v[1]).toArray()));
            ps.setArray(3, c.createArrayOf("text", unsaved.stream().map(v -> v[2]).toArray()));
            ps.executeUpdate();
        }
        unsaved.clear();
    }

    /** Forgets what a rolled-back batch kept but never saved; the next batch reloads from the table. */
    public void discard() {
        if (!unsaved.isEmpty()) {
            unsaved.forEach(v -> known.remove(v[0]));
            unsaved.clear();
        }
    }

    private Cohort capped(Dimension dimension, String task, String value) {
        Cohort kept = dimension.kept.get(value);
        if (kept != null) {
            return kept;
        }
        String v = value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) : value;
        kept = keep(dimension, task, v);
        return kept != null ? kept : dimension.other;
    }

    /** The cohort of a kept value, keeping it if there is room; null when it is refused. */
    private Cohort keep(Dimension dimension, String task, String value) {
        Cohort kept = dimension.kept.get(value);
        if (kept != null) {
            return kept;
        }
        if (dimension.kept.size() >= maxValues || Cohort.OTHER.equals(value)) {
            return null;
        }
        kept = new Cohort(dimension.name, value);
        dimension.kept.put(value, kept);
        unsaved.add(new String[] {task, dimension.name, value});
        return kept;
    }

    private TaskValues values(Connection c, String task) throws SQLException {
        TaskValues values = known.get(task);
        if (values != null) {
            return values;
        }
        List<String[]> stored = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(LOAD)) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        return known(task, stored);
    }

    /** Takes a task's kept values as stored, (dimension, value) pairs. */
    TaskValues known(String task, List<String[]> stored) {
        TaskValues values = new TaskValues();
        for (String[] v : stored) {
            Dimension d = values.dimension(v[0]);
            d.kept.put(v[1], new Cohort(d.name, v[1]));
        }
        known.put(task, values);
        return values;
    }
}
