package io.tailaudit.bench;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What raw COPY costs: the same rows, in batches of the server's size, each batch one transaction, into
 * {@code trace_copy}, a table with the same columns, constraints, primary key, task index and day
 * partitions as {@code trace}. Only COPY and commit are timed; building the text is not.
 */
final class CopyBaseline {

    /** @param schema what had to be added after {@code LIKE trace INCLUDING ALL}, for the report */
    record Result(long rows, Duration elapsed, int partitions, String schema) {
        double rowsPerSecond() {
            return rows / (elapsed.toNanos() / 1e9);
        }
    }

    private static final String COPY = "COPY trace_copy (" + CopyRows.COLUMNS + ") FROM STDIN";

    private CopyBaseline() {
    }

    static Result run(String jdbcUrl, SyntheticTraces traces, int rows, int batchSize) throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection(jdbcUrl)) {
            Table table = createLikeTrace(c, "trace_copy");
            return copyBatches(c, table, traces, rows, batchSize, COPY, null);
        }
    }

    /** Table names of the keyed baseline. */
    static final String KEYED_TABLE = "trace_copy_keyed";
    static final String KEY_TABLE = "trace_key_copy";

    /**
     * What raw COPY of everything ingest writes per trace costs: per batch, one transaction that COPYs the
     * batch's keys (trace_id, occurred_at, content_hash) in trace_id order into {@code trace_key_copy}, a table
     * like {@code trace_key} (its global primary key on trace_id), then the rows into {@code trace_copy_keyed}.
     * Against {@link #run} it prices the global trace_id uniqueness; against ingest, the pipeline itself.
     */
    static Result runWithKeys(String jdbcUrl, SyntheticTraces traces, int rows, int batchSize)
            throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection(jdbcUrl)) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + KEY_TABLE);
                st.execute("CREATE TABLE " + KEY_TABLE + " (LIKE trace_key INCLUDING ALL)");
            }
            Table table = createLikeTrace(c, KEYED_TABLE);
            return copyBatches(c, table, traces, rows, batchSize,
                    "COPY " + KEYED_TABLE + " (" + CopyRows.COLUMNS + ") FROM STDIN",
                    "COPY " + KEY_TABLE + " (trace_id, occurred_at, content_hash) FROM STDIN");
        }
    }

    /**
     * COPYs {@code rows} traces in transactions of {@code batchSize}, timing only the COPYs and the commit; with
     * {@code copyKeys}, each batch's keys first, in trace_id order as ingest orders them.
     */
    private static Result copyBatches(Connection c, Table table, SyntheticTraces traces, int rows, int batchSize,
                                      String copyRows, String copyKeys) throws SQLException, IOException {
        c.setAutoCommit(false);
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        long timed = 0;
        for (int done = 0; done < rows; done += batchSize) {
            int n = Math.min(batchSize, rows - done);
            StringBuilder sb = new StringBuilder(n * 360);
            CopyRows row = new CopyRows(sb);
            Instant receivedAt = Instant.now();
            List<Object[]> values = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                values.add(row.append(traces.next(), receivedAt));
            }
            String keyText = copyKeys == null ? null : keyRows(values);
            String rowText = sb.toString();
            long start = System.nanoTime();
            if (keyText != null) {
                copy.copyIn(copyKeys, new StringReader(keyText));
            }
            copy.copyIn(copyRows, new StringReader(rowText));
            c.commit();
            timed += System.nanoTime() - start;
        }
        return new Result(rows, Duration.ofNanos(timed), table.partitions(), table.schema());
    }

    /** trace_id, occurred_at and content_hash of each row, in trace_id order, as COPY text. */
    private static String keyRows(List<Object[]> values) {
        List<Object[]> sorted = new ArrayList<>(values);
        sorted.sort((a, b) -> ((String) a[0]).compareTo((String) b[0]));
        StringBuilder keys = new StringBuilder(sorted.size() * 70);
        for (Object[] v : sorted) {
            // synthetic ids are UUIDs: nothing to escape
            keys.append(v[0]).append('\t').append(v[1]).append('\t').append(v[v.length - 2]).append('\n');
        }
        return keys.toString();
    }

    /** What {@link #createLikeTrace} made: the day partitions and the schema note for the report. */
    record Table(int partitions, String schema) {
    }

    /**
     * (Re)creates {@code table} with the columns, constraints, primary key, task index and day partitions of
     * {@code trace}, then checkpoints, so every baseline starts from the same state: no dirty buffers of the
     * runs before it pending.
     */
    static Table createLikeTrace(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement()) {
            String schema = createTable(st, table);
            int partitions = createPartitions(st, table);
            st.execute("CHECKPOINT");
            return new Table(partitions, schema);
        }
    }

    /**
     * Rows of {@code table} equal to their {@code trace} row in every column but content_hash and
     * received_at: proof that the baseline wrote what ingest wrote.
     */
    static long matchingRows(String jdbcUrl, String table) throws SQLException {
        StringBuilder same = new StringBuilder();
        for (String col : CopyRows.COLUMNS.split(",\\s*")) {
            if (!col.equals("content_hash") && !col.equals("received_at")) {
                same.append(same.isEmpty() ? "" : " AND ").append("t.").append(col)
                        .append(" IS NOT DISTINCT FROM c.").append(col);
            }
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM trace t JOIN " + table + " c USING (occurred_at, trace_id)"
                     + " WHERE " + same)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long rowCount(String jdbcUrl, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** LIKE on a partitioned table copies columns, defaults and checks; the rest is added when missing. */
    private static String createTable(Statement st, String table) throws SQLException {
        st.execute("DROP TABLE IF EXISTS " + table);
        st.execute("CREATE TABLE " + table + " (LIKE trace INCLUDING ALL) PARTITION BY RANGE (occurred_at)");
        List<String> added = new ArrayList<>();
        List<String> indexes = indexDefinitions(st, table);
        if (indexes.stream().noneMatch(d -> d.contains("(occurred_at, trace_id)"))) {
            st.execute("ALTER TABLE " + table + " ADD PRIMARY KEY (occurred_at, trace_id)");
            added.add("primary key");
        }
        if (indexes.stream().noneMatch(d -> d.contains("(task, occurred_at)"))) {
            st.execute("CREATE INDEX " + table + "_task_time_idx ON " + table + " (task, occurred_at)");
            added.add("task index");
        }
        List<String> expected = indexDefinitions(st, "trace");
        List<String> actual = indexDefinitions(st, table);
        if (expected.size() != actual.size()) {
            throw new IllegalStateException(table + " has indexes " + actual + " but trace has " + expected);
        }
        return (added.isEmpty() ? "LIKE copied the primary key and the task index" : "added after LIKE: "
                + String.join(", ", added)) + "; indexes=" + actual.size();
    }

    private static int createPartitions(Statement st, String table) throws SQLException {
        List<String[]> parts = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("""
                SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
                JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'trace'::regclass ORDER BY 1""")) {
            while (rs.next()) {
                parts.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        for (String[] p : parts) {
            String name = table + p[0].substring("trace".length());
            st.execute("CREATE TABLE " + name + " PARTITION OF " + table + " " + p[1]);
        }
        if (parts.isEmpty()) {
            throw new IllegalStateException("trace has no partitions: did the server run?");
        }
        return parts.size();
    }

    private static List<String> indexDefinitions(Statement st, String table) throws SQLException {
        List<String> defs = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = '"
                + table + "'::regclass ORDER BY 1")) {
            while (rs.next()) {
                defs.add(rs.getString(1));
            }
        }
        return defs;
    }
}
