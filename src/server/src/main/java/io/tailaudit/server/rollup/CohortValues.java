package io.tailaudit.server.rollup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final Map<String, Map<String, Set<String>>> known = new HashMap<>();
    private final List<String[]> unsaved = new ArrayList<>();

    public CohortValues(int maxValues) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("tailaudit.rollup.cohort-values must be at least 1, got " + maxValues);
        }
        this.maxValues = maxValues;
    }

    /** The cohorts of one trace: context bucket, step, model version and each tag (capped). */
    public List<Cohort> of(Connection c, String task, Integer contextTokens, Integer inputTokens, Integer step,
                           String modelVersion, SortedMap<String, String> tags) throws SQLException {
        return of(dimensions(c, task), task, contextTokens, inputTokens, step, modelVersion, tags);
    }

    /** Reads the kept values of the tasks not known yet, so that finding their cohorts needs no connection. */
    public void load(Connection c, Collection<String> tasks) throws SQLException {
        for (String task : tasks) {
            dimensions(c, task);
        }
    }

    /** The cohorts of one trace of a task {@link #load loaded} before: needs no connection. */
    public List<Cohort> of(String task, Integer contextTokens, Integer inputTokens, Integer step, String modelVersion,
                           SortedMap<String, String> tags) {
        Map<String, Set<String>> dims = known.get(task);
        if (dims == null) {
            throw new IllegalStateException("the cohort values of task " + task + " were not loaded");
        }
        return of(dims, task, contextTokens, inputTokens, step, modelVersion, tags);
    }

    private List<Cohort> of(Map<String, Set<String>> dims, String task, Integer contextTokens, Integer inputTokens,
                            Integer step, String modelVersion, SortedMap<String, String> tags) {
        List<Cohort> out = new ArrayList<>(4 + (tags == null ? 0 : tags.size()));
        out.add(new Cohort(Cohort.CONTEXT, Cohort.contextBucket(contextTokens, inputTokens)));
        if (step != null) {
            out.add(capped(dims, task, Cohort.STEP, Integer.toString(step)));
        }
        if (modelVersion != null) {
            out.add(capped(dims, task, Cohort.MODEL_VERSION, modelVersion));
        }
        if (tags != null) {
            for (Map.Entry<String, String> t : tags.entrySet()) {
                if (keep(dims, task, TAG_KEYS, t.getKey())) {
                    out.add(capped(dims, task, Cohort.TAG_PREFIX + t.getKey(), t.getValue()));
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

    private Cohort capped(Map<String, Set<String>> dims, String task, String dimension, String value) {
        String v = value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) : value;
        return new Cohort(dimension, keep(dims, task, dimension, v) ? v : Cohort.OTHER);
    }

    private boolean keep(Map<String, Set<String>> dims, String task, String dimension, String value) {
        Set<String> values = dims.computeIfAbsent(dimension, d -> new HashSet<>());
        if (values.contains(value)) {
            return true;
        }
        if (values.size() >= maxValues || Cohort.OTHER.equals(value)) {
            return false;
        }
        values.add(value);
        unsaved.add(new String[] {task, dimension, value});
        return true;
    }

    private Map<String, Set<String>> dimensions(Connection c, String task) throws SQLException {
        Map<String, Set<String>> dims = known.get(task);
        if (dims != null) {
            return dims;
        }
        dims = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(LOAD)) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    dims.computeIfAbsent(rs.getString(1), d -> new HashSet<>()).add(rs.getString(2));
                }
            }
        }
        known.put(task, dims);
        return dims;
    }
}
