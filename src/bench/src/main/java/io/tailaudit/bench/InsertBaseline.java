package io.tailaudit.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * What the best plain-JDBC INSERT costs, as a second yardstick beside COPY: the same rows and the same
 * transaction size as {@link CopyBaseline}, into {@code trace_insert} (created exactly like
 * {@code trace_copy}), by one prepared single-row INSERT with addBatch/executeBatch on a connection with
 * {@code reWriteBatchedInserts=true}, so the driver sends multi-row {@code INSERT ... VALUES (..), (..)}
 * statements. Values are bound with their column types (text, timestamptz, float8, int4, bool, jsonb, int8).
 * Only executeBatch and commit are timed; building the rows and binding them (setX + addBatch, which only
 * store the values in the driver) are not, as COPY's timing leaves out building the text.
 */
final class InsertBaseline {

    static final String TABLE = "trace_insert";

    private static final String INSERT = "INSERT INTO " + TABLE + " (" + CopyRows.COLUMNS + ") VALUES ("
            + placeholders() + ")";

    /** The JDBC type of each column of {@link CopyRows#COLUMNS}, in order; jsonb is text with a cast. */
    private static final int[] TYPES = columnTypes();

    private InsertBaseline() {
    }

    static CopyBaseline.Result run(String jdbcUrl, SyntheticTraces traces, int rows, int batchSize)
            throws SQLException {
        String url = jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
        try (Connection c = DriverManager.getConnection(url)) {
            CopyBaseline.Table table = CopyBaseline.createLikeTrace(c, TABLE);
            c.setAutoCommit(false);
            // the values come from the COPY row builder, so both baselines load the same values and hashes
            StringBuilder scratch = new StringBuilder(512);
            CopyRows row = new CopyRows(scratch);
            long timed = 0;
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (int done = 0; done < rows; done += batchSize) {
                    int n = Math.min(batchSize, rows - done);
                    Instant receivedAt = Instant.now();
                    for (int i = 0; i < n; i++) {
                        scratch.setLength(0);
                        bind(ps, row.append(traces.next(), receivedAt));
                        ps.addBatch();
                    }
                    long start = System.nanoTime();
                    ps.executeBatch();
                    c.commit();
                    timed += System.nanoTime() - start;
                }
            }
            return new CopyBaseline.Result(rows, Duration.ofNanos(timed), table.partitions(), table.schema());
        }
    }

    private static void bind(PreparedStatement ps, Object[] values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            int p = i + 1;
            Object v = values[i];
            if (v == null) {
                // same type for null and non-null: the driver keeps one prepared statement per rewritten size
                ps.setNull(p, TYPES[i] == Types.OTHER ? Types.VARCHAR : TYPES[i]);
                continue;
            }
            switch (TYPES[i]) {
                case Types.TIMESTAMP_WITH_TIMEZONE -> ps.setObject(p, OffsetDateTime.ofInstant((Instant) v,
                        ZoneOffset.UTC));
                case Types.DOUBLE -> ps.setDouble(p, (Double) v);
                case Types.INTEGER -> ps.setInt(p, (Integer) v);
                case Types.BOOLEAN -> ps.setBoolean(p, (Boolean) v);
                case Types.BIGINT -> ps.setLong(p, (Long) v);
                default -> ps.setString(p, (String) v);
            }
        }
    }

    private static int[] columnTypes() {
        String[] columns = CopyRows.COLUMNS.split(",\\s*");
        int[] types = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            types[i] = switch (columns[i]) {
                case "occurred_at", "received_at" -> Types.TIMESTAMP_WITH_TIMEZONE;
                case "latency_ms", "ttft_ms", "cost_usd", "quality" -> Types.DOUBLE;
                case "input_tokens", "output_tokens", "context_tokens", "retries", "step" -> Types.INTEGER;
                case "escalated", "fallback", "schema_valid" -> Types.BOOLEAN;
                case "content_hash" -> Types.BIGINT;
                case "tags" -> Types.OTHER;
                default -> Types.VARCHAR;
            };
        }
        return types;
    }

    private static String placeholders() {
        String[] columns = CopyRows.COLUMNS.split(",\\s*");
        StringBuilder sb = new StringBuilder();
        for (String col : columns) {
            sb.append(sb.isEmpty() ? "" : ", ").append(col.equals("tags") ? "?::jsonb" : "?");
        }
        return sb.toString();
    }
}
