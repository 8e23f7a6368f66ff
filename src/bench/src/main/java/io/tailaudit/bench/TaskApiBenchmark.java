package io.tailaudit.bench;

import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Deployment;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Rating;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.Usage;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.embedded.EmbeddedPlatform;
import io.tailaudit.server.rollup.CohortValues;
import io.tailaudit.server.rollup.RollupBatch;
import io.tailaudit.server.rollup.RollupKey;
import io.tailaudit.server.rollup.RollupWriter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.PGConnection;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The analytics API at scale: 10,000,000 traces over 30 days for 200 tasks, written straight into
 * PostgreSQL (COPY into trace and trace_key) together with the rollup deltas ingest itself would append for
 * them (the server's own RollupBatch, CohortValues and RollupWriter), folded by the running server's
 * compactor. Then p50/p95 of {@code /api/v1/tasks}, {@code /api/v1/tasks/{task}} and its what-if for the 7d
 * and 30d windows and of the routing table over a real HTTP client, and the freshness of the task endpoint:
 * from a trace produced to Kafka
 * until the endpoint counts it.
 * <pre>src/bench/run.sh TaskApiBenchmark [traces] [requests per endpoint]</pre>
 */
public final class TaskApiBenchmark {

    private static final long SEED = 42L;
    private static final int VARIANTS = 4;
    private static final int LOAD_BATCH = 20_000;
    private static final int FRESHNESS_SAMPLES = 40;

    private TaskApiBenchmark() {
    }

    public static void main(String[] args) {
        Fmt.useJBossLogManager();
        try {
            long traces = args.length > 0 ? Long.parseLong(args[0].replace("_", "").replace(",", "")) : 10_000_000L;
            int requests = args.length > 1 ? Integer.parseInt(args[1]) : 200;
            run(traces, requests);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("task API benchmark failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(long traces, int requests) throws Exception {
        Path jar = ServerProcess.runJar(ServerProcess.repoRoot());
        Instant now = Instant.now();
        System.out.println("TailAudit analytics API benchmark (rollup reads at scale, real HTTP client)");
        System.out.println(Fmt.line("data", Fmt.count(traces) + " traces over 30 days, "
                + SyntheticTraces.taskCount(VARIANTS) + " tasks (90% of each on its own deployment), time order"));
        Fmt.printPlatform();
        try (TempDir tmp = TempDir.create("tailaudit-api-bench");
             EmbeddedPlatform platform = EmbeddedPlatform.start(tmp.resolve("platform"))) {
            TraceLoader.createTopics(platform.bootstrapServers(), 4);
            Map<String, String> props = new java.util.HashMap<>(ServerProcess.againstPlatform(platform));
            props.putAll(ConsoleFigures.user());
            try (ServerProcess server = ServerProcess.start(jar, props, tmp.path(), tmp.resolve("server.log"))) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                String base = awaitReady(server, http);
                load(platform.jdbcUrl(), traces, now);
                awaitCompacted(platform.jdbcUrl());
                List<String> tasks = tasks(platform.jdbcUrl());
                Random random = new Random(SEED);
                for (String window : List.of("7d", "30d")) {
                    report("GET /api/v1/tasks?window=" + window, http, requests, i -> base + "/api/v1/tasks?window=" + window);
                    report("GET /api/v1/tasks/{task}?window=" + window, http, requests,
                            i -> base + "/api/v1/tasks/" + tasks.get(random.nextInt(tasks.size())) + "?window=" + window);
                }
                for (String window : List.of("7d", "30d")) {
                    report("GET /api/v1/tasks/{task}/what-if?window=" + window, http, requests,
                            i -> base + "/api/v1/tasks/" + tasks.get(random.nextInt(tasks.size())) + "/what-if?window="
                                    + window);
                }
                report("GET /api/v1/routing?window=7d", http, requests, i -> base + "/api/v1/routing?window=7d");
                report("GET /api/v1/tasks/{task}/worst?window=7d", http, Math.min(requests, 50),
                        i -> base + "/api/v1/tasks/" + tasks.get(random.nextInt(tasks.size())) + "/worst?window=7d&limit=50");
                ConsoleFigures.run(base, tasks, requests);
                freshness(platform.bootstrapServers(), http, base);
                System.out.println(Fmt.line("server log", server.countLines("ERROR") + " ERROR, "
                        + server.countLines("WARN") + " WARN lines"));
            }
        }
    }

    /** Waits until the server answers {@code /q/health/ready} with 200; returns its base URL. */
    static String awaitReady(ServerProcess server, HttpClient http) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            server.requireAlive();
            if (server.httpPort().isPresent()) {
                String base = "http://localhost:" + server.httpPort().get();
                try {
                    if (get(http, base + "/q/health/ready").statusCode() == 200) {
                        return base;
                    }
                } catch (java.io.IOException notYet) {
                    // still starting
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the server did not become ready in 120 s");
    }

    /** COPY of traces and keys plus the rollup deltas ingest would append, one transaction per batch. */
    private static void load(String jdbcUrl, long traces, Instant now) throws Exception {
        SyntheticTraces gen = new SyntheticTraces(SEED, now, traces, Duration.ofDays(30), VARIANTS);
        CohortValues cohorts = new CohortValues(50);
        long start = System.nanoTime();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            createPartitions(c, now);
            c.setAutoCommit(false);
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            long done = 0;
            long lastPrint = System.nanoTime();
            long[] spent = new long[4];   // build rows and deltas, COPY traces and keys, append deltas, commit
            while (done < traces) {
                int n = (int) Math.min(LOAD_BATCH, traces - done);
                StringBuilder rows = new StringBuilder(n * 420);
                StringBuilder keys = new StringBuilder(n * 70);
                CopyRows copyRows = new CopyRows(rows);
                RollupBatch batch = new RollupBatch();
                Instant received = Instant.now();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Trace t = gen.next();
                    Object[] v = copyRows.append(t, received);
                    keys.append(t.traceId()).append('\t').append(t.occurredAt()).append('\t').append(v[31]).append('\n');
                    addToRollups(c, cohorts, batch, t);
                }
                long t1 = System.nanoTime();
                copy.copyIn("COPY trace (" + CopyRows.COLUMNS + ") FROM STDIN", new StringReader(rows.toString()));
                copy.copyIn("COPY trace_key (trace_id, occurred_at, content_hash) FROM STDIN",
                        new StringReader(keys.toString()));
                long t2 = System.nanoTime();
                RollupWriter.append(c, received, batch);
                cohorts.save(c);
                long t3 = System.nanoTime();
                c.commit();
                long t4 = System.nanoTime();
                spent[0] += t1 - t0;
                spent[1] += t2 - t1;
                spent[2] += t3 - t2;
                spent[3] += t4 - t3;
                done += n;
                if (System.nanoTime() - lastPrint > 15e9) {
                    lastPrint = System.nanoTime();
                    System.out.println(Fmt.line("loading", Fmt.count(done) + " traces, "
                            + Fmt.rate(done / ((System.nanoTime() - start) / 1e9)) + " traces/s; s in build "
                            + Fmt.seconds(spent[0]) + ", COPY " + Fmt.seconds(spent[1]) + ", deltas "
                            + Fmt.seconds(spent[2]) + ", commit " + Fmt.seconds(spent[3])));
                }
            }
        }
        System.out.println(Fmt.line("loaded", Fmt.count(traces) + " traces with their rollup deltas in "
                + Fmt.seconds(System.nanoTime() - start) + " (" + Fmt.rate(traces / ((System.nanoTime() - start) / 1e9))
                + " traces/s)"));
    }

    private static void addToRollups(Connection c, CohortValues cohorts, RollupBatch batch, Trace t) throws Exception {
        Deployment d = t.deployment();
        Usage u = t.usage();
        Outcome o = t.outcome();
        boolean escalated = Boolean.TRUE.equals(o.escalated());
        batch.addTrace(RollupKey.of(t.task(), d.kind().wire(), d.provider(), d.model(), t.occurredAt()),
                t.category().wire(),
                cohorts.of(c, t.task(), u.contextTokens(), u.inputTokens(), t.step(), d.modelVersion(),
                        new java.util.TreeMap<>(t.tags())),
                new RollupBatch.Outcome(o.status() == null ? "ok" : o.status().wire(), o.quality(), escalated,
                        o.feedback() == Rating.NEGATIVE, !Boolean.FALSE.equals(o.schemaValid()),
                        Boolean.TRUE.equals(o.fallback())),
                t.latencyMs(), u.inputTokens(), u.outputTokens(), t.costUsd());
    }

    private static void createPartitions(Connection c, Instant now) throws Exception {
        try (Statement st = c.createStatement()) {
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            for (LocalDate d = today.minusDays(31); !d.isAfter(today.plusDays(1)); d = d.plusDays(1)) {
                st.execute("CREATE TABLE IF NOT EXISTS trace_p" + d.toString().replace("-", "")
                        + " PARTITION OF trace FOR VALUES FROM ('" + d + " 00:00:00+00') TO ('" + d.plusDays(1)
                        + " 00:00:00+00')");
            }
        }
    }

    private static void awaitCompacted(String jdbcUrl) throws Exception {
        long start = System.nanoTime();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM tail_rollup_pending")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(500);
            }
            String rollups;
            try (ResultSet rs = st.executeQuery("SELECT count(*), pg_size_pretty(pg_total_relation_size('tail_rollup'))"
                    + " FROM tail_rollup")) {
                rs.next();
                rollups = Fmt.count(rs.getLong(1)) + " rollup rows (hour + day), " + rs.getString(2);
            }
            System.out.println(Fmt.line("compactor caught up", Fmt.seconds(System.nanoTime() - start)
                    + " after the load; " + rollups));
            st.execute("VACUUM ANALYZE tail_rollup");
        }
    }

    private static List<String> tasks(String jdbcUrl) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT task FROM tail_rollup WHERE span = 'd'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static void report(String name, HttpClient http, int requests, java.util.function.IntFunction<String> url)
            throws Exception {
        for (int i = 0; i < Math.max(5, requests / 10); i++) {
            require(get(http, url.apply(i)), url.apply(i));    // warm-up: JIT, connection, caches
        }
        long[] nanos = new long[requests];
        long bytes = 0;
        for (int i = 0; i < requests; i++) {
            String u = url.apply(i);
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(http, u);
            nanos[i] = System.nanoTime() - t0;
            require(r, u);
            bytes += r.body().length();
        }
        Arrays.sort(nanos);
        System.out.println(Fmt.line(name, String.format(Locale.ROOT, "p50 %.1f ms, p95 %.1f ms, max %.1f ms over %d"
                        + " requests (avg body %,d bytes)", nanos[requests / 2] / 1e6, nanos[(int) Math.ceil(requests * 0.95) - 1] / 1e6,
                nanos[requests - 1] / 1e6, requests, bytes / requests)));
    }

    /**
     * Produces one trace at a time for a task with history and polls the task endpoint until it counts it.
     * This spans produce, poll, write, commit and the read, so it bounds the lag from the offset commit
     * (which follows the database commit) from above.
     */
    private static void freshness(String bootstrap, HttpClient http, String base) throws Exception {
        Map<String, Object> cfg = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0);
        String task = "freshness-" + UUID.randomUUID().toString().substring(0, 8);
        long[] lags = new long[FRESHNESS_SAMPLES];
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(cfg, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < FRESHNESS_SAMPLES; i++) {
                Trace t = Trace.builder(task, Category.CHAT).traceId(UUID.randomUUID().toString())
                        .occurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                        .deployment(Deployment.local("vllm", "llama-3.1-8b-instruct")).latencyMs(300)
                        .usage(Usage.of(500, 80)).outcome(Outcome.ok(0.9)).build();
                long t0 = System.nanoTime();
                producer.send(new ProducerRecord<>(TraceLoader.TOPIC, t.traceId(), EventWriter.write(t))).get();
                String expected = "\"traces\":" + (i + 1) + ",";
                while (true) {
                    HttpResponse<String> r = get(http, base + "/api/v1/tasks/" + task + "?window=1h");
                    if (r.statusCode() == 200 && r.body().contains(expected)) {
                        break;
                    }
                    if (System.nanoTime() - t0 > 60e9) {
                        throw new IllegalStateException("trace " + (i + 1) + " not visible after 60 s");
                    }
                    Thread.sleep(10);
                }
                lags[i] = System.nanoTime() - t0;
                Thread.sleep(200);
            }
        }
        Arrays.sort(lags);
        System.out.println(Fmt.line("freshness (produce -> task endpoint)", String.format(Locale.ROOT,
                "p50 %.0f ms, p95 %.0f ms, max %.0f ms over %d traces, one at a time", lags[FRESHNESS_SAMPLES / 2] / 1e6,
                lags[(int) Math.ceil(FRESHNESS_SAMPLES * 0.95) - 1] / 1e6, lags[FRESHNESS_SAMPLES - 1] / 1e6,
                FRESHNESS_SAMPLES)));
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", ConsoleFigures.basicAuth()).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void require(HttpResponse<String> r, String url) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
