package io.tailaudit.bench;

import io.tailaudit.server.embedded.EmbeddedPlatform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * End-to-end ingest throughput against raw COPY. Fills tailaudit.traces (4 partitions) on an embedded
 * Kafka with N valid traces, then starts the packaged server (prod profile) on that Kafka and an embedded
 * PostgreSQL and times it until every trace is a row; then COPYs the same rows into an identical indexed,
 * partitioned table, and again into another such table with batched multi-row INSERTs.
 * Usage: {@code IngestBenchmark [events, default 1000000]}. Needs the server built.
 */
public final class IngestBenchmark {

    private static final int PARTITIONS = 4;
    private static final int COPY_BATCH = 10_000;       // the server's tailaudit.ingest.batch-size
    private static final long SEED = 20240611L;
    private static final double GOAL_RATIO = 0.5;
    private static final double GOAL_RATE = 50_000;

    private IngestBenchmark() {
    }

    public static void main(String[] args) {
        Fmt.useJBossLogManager();
        try {
            int events = args.length > 0 ? Integer.parseInt(args[0].replace("_", "").replace(",", "")) : 1_000_000;
            String times = args.length > 1 ? args[1] : "ordered";
            if (!List.of("ordered", "random", "live").contains(times)) {
                throw new IllegalArgumentException("the second argument is 'ordered' (default), 'random' or 'live', got "
                        + times);
            }
            run(events, times);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("ingest benchmark failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(int events, String times) throws Exception {
        boolean randomTimes = "random".equals(times);
        long ordered = randomTimes ? 0 : events;
        Duration spread = "live".equals(times) ? Duration.ofHours(1) : Duration.ofDays(3);
        Path jar = ServerProcess.runJar(ServerProcess.repoRoot());
        // one clock reading for producing and regenerating: the same seed and instant give the same traces
        Instant now = Instant.now();
        try (TempDir tmp = TempDir.create("tailaudit-ingest-bench")) {
            printSetup(events, times, jar, tmp.path());
            try (EmbeddedPlatform platform = EmbeddedPlatform.start(tmp.resolve("platform"))) {
                TraceLoader.createTopics(platform.bootstrapServers(), PARTITIONS);
                TraceLoader.Produced produced = TraceLoader.produce(platform.bootstrapServers(),
                        new SyntheticTraces(SEED, now, ordered, spread, 1), events);
                System.out.println(Fmt.line("produced", Fmt.count(produced.records()) + " records, avg "
                        + produced.valueBytes() / produced.records() + " bytes/value, in "
                        + Fmt.seconds(produced.elapsed().toNanos()) + " (" + Fmt.rate(produced.recordsPerSecond())
                        + " records/s, acks=all, lz4)"));
                Ingested ingested = ingest(platform, jar, tmp.path(), events);
                IngestProgress.Timeline t = ingested.timeline();
                CopyBaseline.Result copy = CopyBaseline.run(platform.jdbcUrl(), new SyntheticTraces(SEED, now, ordered, spread, 1),
                        events, COPY_BATCH);
                System.out.println(Fmt.line("copy baseline table", "trace_copy, " + copy.partitions()
                        + " day partitions; " + copy.schema()));
                long same = CopyBaseline.matchingRows(platform.jdbcUrl(), "trace_copy");
                System.out.println(Fmt.line("check", Fmt.count(same) + " trace_copy rows equal their trace row"
                        + " (all columns but content_hash, received_at)" + (same == events ? "" : " MISMATCH")));
                CopyBaseline.Result keyed = CopyBaseline.runWithKeys(platform.jdbcUrl(),
                        new SyntheticTraces(SEED, now, ordered, spread, 1), events, COPY_BATCH);
                long sameKeyed = CopyBaseline.matchingRows(platform.jdbcUrl(), CopyBaseline.KEYED_TABLE);
                long keys = CopyBaseline.rowCount(platform.jdbcUrl(), CopyBaseline.KEY_TABLE);
                System.out.println(Fmt.line("check", Fmt.count(sameKeyed) + " " + CopyBaseline.KEYED_TABLE
                        + " rows equal their trace row, " + Fmt.count(keys) + " rows in " + CopyBaseline.KEY_TABLE
                        + (sameKeyed == events && keys == events ? "" : " MISMATCH")));
                CopyBaseline.Result insert = InsertBaseline.run(platform.jdbcUrl(), new SyntheticTraces(SEED, now, ordered, spread, 1),
                        events, COPY_BATCH);
                System.out.println(Fmt.line("insert baseline table", InsertBaseline.TABLE + ", "
                        + insert.partitions() + " day partitions; " + insert.schema()));
                long inserted = CopyBaseline.rowCount(platform.jdbcUrl(), InsertBaseline.TABLE);
                long sameInserted = CopyBaseline.matchingRows(platform.jdbcUrl(), InsertBaseline.TABLE);
                System.out.println(Fmt.line("check", "count(*) FROM " + InsertBaseline.TABLE + " = "
                        + Fmt.count(inserted) + ", " + Fmt.count(sameInserted) + " equal their trace row"
                        + (inserted == events && sameInserted == events ? "" : " MISMATCH")));
                if (inserted != events) {
                    throw new IllegalStateException("expected " + events + " rows in " + InsertBaseline.TABLE
                            + ", found " + inserted);
                }
                printResults(events, ingested, copy, keyed, insert);
            }
        }
    }

    private static void printSetup(int events, String times, Path jar, Path dir) {
        System.out.println("TailAudit ingest benchmark (end-to-end Kafka -> server -> PostgreSQL vs raw COPY)");
        System.out.println(Fmt.line("events", Fmt.count(events) + " valid traces, " + SyntheticTraces.taskCount()
                + " tasks, " + SyntheticTraces.categoryCount() + " categories, no input/output text, "
                + switch (times) {
                    case "random" -> "at random times in the last 3 days";
                    case "live" -> "the last hour in time order (a backlog of live traffic)";
                    default -> "the last 3 days replayed in time order";
                }));
        System.out.println(Fmt.line("topic", TraceLoader.TOPIC + " " + PARTITIONS + " partitions (+ "
                + TraceLoader.DLQ_TOPIC + " " + PARTITIONS + "), key = trace_id"));
        Fmt.printPlatform();
        System.out.println(Fmt.line("platform", "embedded PostgreSQL 17 (fsync on) + in-process Kafka, " + dir));
        System.out.println(Fmt.line("server", jar + " (profile prod, separate JVM, tailaudit.roles=ingest)"));
        System.out.println(Fmt.line("copy baseline", "COPY text, " + Fmt.count(COPY_BATCH) + " rows per transaction"));
        System.out.println(Fmt.line("insert baseline", "prepared INSERT, addBatch/executeBatch, reWriteBatchedInserts"
                + "=true, typed binds, " + Fmt.count(COPY_BATCH) + " rows per transaction; both baselines time only"
                + " the write (COPY / executeBatch) + commit, not building or binding the rows"));
    }

    private static Ingested ingest(EmbeddedPlatform platform, Path jar, Path dir, int events)
            throws Exception {
        Map<String, String> props = new java.util.HashMap<>(ServerProcess.againstPlatform(platform));
        // the ingest role alone, as an ingest replica runs: the index role would take a core's share for Lucene
        props.put(io.tailaudit.server.ReplicaRoles.PROPERTY, "ingest");
        IngestProgress.Timeline t;
        long foldedNanos;
        try (ServerProcess server = ServerProcess.start(jar, props, dir, dir.resolve("server.log"))) {
            t = IngestProgress.await(platform.jdbcUrl(), List.of(server), dir.resolve("platform"), events);
            foldedNanos = IngestProgress.awaitFolded(platform.jdbcUrl(), server, events);
            System.out.println(Fmt.line("rollups folded", foldedNanos < 0 ? "none: this build has no rollups"
                    : "at " + Fmt.seconds(foldedNanos) + " after launch, " + Fmt.seconds(foldedNanos - t.doneNanos())
                    + " after the last row (reads count pending rollups at once; folding waits for"
                    + " tailaudit.rollup.fold-after); hour and day rollups each count " + Fmt.count(events)
                    + " traces"));
            System.out.println(Fmt.line("server", "pid " + server.pid() + ", Quarkus reported start-up "
                    + server.reportedStartup().orElse("(not logged)")));
            System.out.println(Fmt.line("first rows seen", "at " + Fmt.seconds(t.firstRowNanos()) + " after launch ("
                    + Fmt.count(t.rowsAtFirstPoll()) + " rows)"));
            System.out.println(Fmt.line("all rows stored", "at " + Fmt.seconds(t.doneNanos()) + " after launch"));
            List<Double> fifths = t.ratesByShare(5);
            System.out.println(Fmt.line("rate by fifth of the rows", fifths.isEmpty() ? "too few polls to tell"
                    : fifths.stream().map(Fmt::rate).collect(Collectors.joining(", ")) + " events/s"));
            printServerMetrics(server, t);
            System.out.println(Fmt.line("cpu, steady state", t.steadyCpu().perEvent(events - t.rowsAtFirstPoll())));
            System.out.println(Fmt.line("server log", server.countLines("ERROR") + " ERROR, "
                    + server.countLines("WARN") + " WARN lines"));
        }
        // kept for inspection, e.g. with QUARKUS_LOG_CATEGORY__IO_TAILAUDIT_SERVER_INGEST__LEVEL=DEBUG
        Path kept = Path.of("src/bench/target/ingest-server.log");
        if (Files.isDirectory(kept.getParent())) {
            Files.copy(dir.resolve("server.log"), kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        long dead = IngestProgress.deadLetters(platform.jdbcUrl());
        System.out.println(Fmt.line("check", "count(*) FROM trace = " + Fmt.count(t.countStar()) + ", dead letters = "
                + Fmt.count(dead)));
        if (t.countStar() != events || dead != 0) {
            throw new IllegalStateException("expected " + events + " rows and no dead letters");
        }
        return new Ingested(t, foldedNanos);
    }

    /** The ingest timeline, and when the server had folded every pending rollup (nanos after launch). */
    private record Ingested(IngestProgress.Timeline timeline, long foldedNanos) {
    }

    /** Where the server's time went: store (write + commit) is timed by the server, the rest is not. */
    private static void printServerMetrics(ServerProcess server, IngestProgress.Timeline t) {
        try {
            ServerMetrics m = ServerMetrics.scrape(server.httpPort()
                    .orElseThrow(() -> new IllegalStateException("no 'Listening on' line in the server log")));
            double batches = m.get("tailaudit_ingest_batch_duration_seconds_count");
            double storeSeconds = m.get("tailaudit_ingest_batch_duration_seconds_sum");
            double steadySeconds = (t.doneNanos() - t.firstRowNanos()) / 1e9;
            System.out.println(Fmt.line("server ingest metrics", String.format(Locale.ROOT,
                    "%.0f batches of avg %.0f records; store (write + commit) avg %.0f ms/batch, %.1f s in all"
                            + " = %.0f%% of the steady-state time (the rest: poll, parse, validate)", batches,
                    m.get("tailaudit_ingest_batch_size_sum") / batches, storeSeconds / batches * 1000, storeSeconds,
                    storeSeconds / steadySeconds * 100)));
        } catch (Exception e) {
            System.out.println(Fmt.line("server ingest metrics", "unavailable: " + e.getMessage()));
        }
    }

    private static void printResults(int events, Ingested ingested, CopyBaseline.Result copy,
                                     CopyBaseline.Result keyed, CopyBaseline.Result insert) {
        IngestProgress.Timeline t = ingested.timeline();
        double fromStart = events / (t.doneNanos() / 1e9);
        long steadyRows = events - t.rowsAtFirstPoll();
        long steadyNanos = t.doneNanos() - t.firstRowNanos();
        double steady = steadyRows / (steadyNanos / 1e9);
        double raw = copy.rowsPerSecond();
        System.out.println("results");
        System.out.println(Fmt.line("end-to-end, from server launch", Fmt.rate(fromStart) + " events/s ("
                + Fmt.count(events) + " in " + Fmt.seconds(t.doneNanos()) + ", boot included)"));
        System.out.println(Fmt.line("end-to-end, steady state", Fmt.rate(steady) + " events/s ("
                + Fmt.count(steadyRows) + " in " + Fmt.seconds(steadyNanos) + ", first rows -> last row)"));
        System.out.println(Fmt.line("raw COPY baseline", Fmt.rate(raw) + " rows/s (" + Fmt.count(copy.rows())
                + " in " + Fmt.seconds(copy.elapsed().toNanos()) + ")"));
        System.out.println(Fmt.line("raw COPY of keys and rows", Fmt.rate(keyed.rowsPerSecond()) + " rows/s ("
                + Fmt.count(keyed.rows()) + " in " + Fmt.seconds(keyed.elapsed().toNanos()) + "; the rows' COPY alone is "
                + String.format(Locale.ROOT, "%.2f", raw / keyed.rowsPerSecond()) + "x as fast: the price of the global"
                + " trace_id key)"));
        System.out.println(Fmt.line("raw multi-row INSERT (reWriteBatchedInserts)", Fmt.rate(insert.rowsPerSecond())
                + " rows/s (" + Fmt.count(insert.rows()) + " in " + Fmt.seconds(insert.elapsed().toNanos()) + ")"));
        System.out.println(Fmt.line("COPY / multi-row INSERT", String.format(Locale.ROOT, "%.2f",
                raw / insert.rowsPerSecond())));
        System.out.println(Fmt.line("end-to-end / COPY, from launch", Fmt.percent(fromStart / raw)));
        System.out.println(Fmt.line("end-to-end / COPY, steady state", Fmt.percent(steady / raw)));
        System.out.println(Fmt.line("end-to-end / COPY of keys and rows, steady state",
                Fmt.percent(steady / keyed.rowsPerSecond())));
        if (ingested.foldedNanos() > 0) {
            double folded = steadyRows / ((ingested.foldedNanos() - t.firstRowNanos()) / 1e9);
            System.out.println(Fmt.line("the same, until the rollups were folded", Fmt.percent(folded / raw) + " ("
                    + Fmt.rate(folded) + " events/s)"));
        }
        System.out.println("goal: >= 50% of raw COPY and >= 50,000 events/s");
        System.out.println(Fmt.line("from server launch", verdict(fromStart, raw)));
        System.out.println(Fmt.line("steady state", verdict(steady, raw)));
    }

    /** Each goal on its own: the ratio to raw COPY (issue 19, part 7) and the absolute rate. */
    private static String verdict(double rate, double raw) {
        return "ratio " + (rate / raw >= GOAL_RATIO ? "PASS" : "FAIL") + " (" + Fmt.percent(rate / raw) + " of COPY), "
                + "rate " + (rate >= GOAL_RATE ? "PASS" : "FAIL") + " (" + Fmt.rate(rate) + " events/s)";
    }
}
