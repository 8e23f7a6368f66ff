package io.tailaudit.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches the database until the server has stored every trace, polling every 250 ms.
 *
 * <p>It polls {@code sum(traces) FROM task_volume_daily}, which ingest updates in the statement and the
 * transaction that insert the rows, so it equals {@code count(*) FROM trace} at every instant on a fresh
 * database. {@code count(*)} itself would scan up to a million rows four times a second and take CPU from
 * the ingest it is measuring on a small machine; it is run once at the end as a check.
 */
final class IngestProgress {

    private static final String PROGRESS = "SELECT coalesce(sum(traces), 0) FROM task_volume_daily";
    private static final long POLL_MILLIS = 250;
    private static final Duration BOOT_LIMIT = Duration.ofMinutes(3);
    private static final Duration STALL_LIMIT = Duration.ofMinutes(2);
    private static final Duration FOLD_LIMIT = Duration.ofMinutes(10);

    /** Rows stored {@code nanos} after the server's launch. */
    record Sample(long nanos, long rows) {
    }

    /**
     * Nanos-since-server-start of the first poll that saw rows (and how many), and of the last row; the CPU
     * the servers and PostgreSQL used in between.
     */
    record Timeline(long firstRowNanos, long rowsAtFirstPoll, long doneNanos, long countStar, List<Sample> samples,
                    CpuUse steadyCpu) {

        /**
         * Events/s over each of {@code parts} equal shares of the rows, empty when the polls are too few; a
         * falling rate would mean a cost that grows with the table.
         */
        List<Double> ratesByShare(int parts) {
            List<Double> rates = new ArrayList<>();
            Sample from = samples.getFirst();
            long total = samples.getLast().rows();
            for (int i = 1, next = 0; i <= parts && next < samples.size(); i++) {
                long target = total * i / parts;
                while (samples.get(next).rows() < target) {
                    next++;
                }
                Sample to = samples.get(next);
                if (to.nanos() == from.nanos()) {
                    return List.of(); // a share within one poll: too few polls for a breakdown
                }
                rates.add((to.rows() - from.rows()) / ((to.nanos() - from.nanos()) / 1e9));
                from = to;
            }
            return rates;
        }
    }

    private IngestProgress() {
    }

    static Timeline await(String jdbcUrl, ServerProcess server, long expected) throws SQLException, InterruptedException {
        return await(jdbcUrl, List.of(server), Path.of("platform"), expected);
    }

    /**
     * Until the servers (replicas of one group, the first started first) have stored {@code expected} rows;
     * {@code platformDir} is the embedded platform's directory, to find its PostgreSQL for the CPU figure.
     */
    static Timeline await(String jdbcUrl, List<ServerProcess> servers, Path platformDir, long expected)
            throws SQLException, InterruptedException {
        ServerProcess server = servers.getFirst();
        CpuUse cpuAtFirst = null;
        long first = -1;
        long rowsAtFirst = 0;
        long last = 0;
        long lastChange = System.nanoTime();
        List<Sample> samples = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
            while (true) {
                servers.forEach(ServerProcess::requireAlive);
                long rows = rows(st);
                long now = System.nanoTime();
                if (rows > 0 && first < 0) {
                    first = now - server.startNanos();
                    rowsAtFirst = rows;
                    cpuAtFirst = CpuUse.now(servers, platformDir);
                }
                if (rows > 0) {
                    samples.add(new Sample(now - server.startNanos(), rows));
                }
                if (rows >= expected) {
                    CpuUse cpu = CpuUse.now(servers, platformDir).minus(cpuAtFirst);
                    return new Timeline(first, rowsAtFirst, now - server.startNanos(), countStar(st), samples, cpu);
                }
                if (rows != last) {
                    last = rows;
                    lastChange = now;
                }
                checkProgress(server, first, rows, expected, now - lastChange);
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    /**
     * Waits until no rollup is pending and returns when that was seen (nanos after launch); then checks
     * that the hour and the day rollups each count {@code expected} traces. -1 for a build without rollups.
     */
    static long awaitFolded(String jdbcUrl, ServerProcess server, long expected) throws SQLException,
            InterruptedException {
        long deadline = System.nanoTime() + FOLD_LIMIT.toNanos();
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
            if (count(st, "SELECT count(to_regclass('tail_rollup_pending'))") == 0) {
                return -1;
            }
            while (true) {
                server.requireAlive();
                long now = System.nanoTime();
                if (count(st, "SELECT (SELECT count(*) FROM tail_rollup_pending)"
                        + " + (SELECT count(*) FROM tail_rollup_delta)") == 0) {
                    long hours = count(st, "SELECT coalesce(sum(traces), 0) FROM tail_rollup WHERE span = 'h'");
                    long days = count(st, "SELECT coalesce(sum(traces), 0) FROM tail_rollup WHERE span = 'd'");
                    if (hours != expected || days != expected) {
                        throw new IllegalStateException("the folded rollups count " + hours + " traces per hour and "
                                + days + " per day, expected " + expected);
                    }
                    return now - server.startNanos();
                }
                if (now > deadline) {
                    throw new IllegalStateException("rollups still pending " + FOLD_LIMIT.toSeconds()
                            + " s after the last row; last server log lines:\n" + String.join("\n", server.logTail(40)));
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void checkProgress(ServerProcess server, long first, long rows, long expected, long stalledNanos) {
        long limit = (first < 0 ? BOOT_LIMIT : STALL_LIMIT).toNanos();
        if (stalledNanos > limit) {
            throw new IllegalStateException("ingest made no progress for " + Duration.ofNanos(stalledNanos).toSeconds()
                    + " s at " + rows + " of " + expected + " rows; last server log lines:\n"
                    + String.join("\n", server.logTail(40)));
        }
    }

    /** 0 until Flyway has created the table. */
    private static long rows(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery(PROGRESS)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return 0;
            }
            throw e;
        }
    }

    private static long countStar(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM trace")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long deadLetters(String jdbcUrl) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM dead_letter")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
