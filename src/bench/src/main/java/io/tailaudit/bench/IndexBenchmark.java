package io.tailaudit.bench;

import io.tailaudit.server.embedded.EmbeddedPlatform;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The index role at scale, in the server (a separate JVM) against the embedded platform:
 * <ol>
 *   <li>N traces (default 2,000,000) over 10 days for 200 tasks, each with about 1 KiB of input text, produced
 *       to Kafka; the server then ingests and indexes them side by side: both throughputs from the same run
 *       and their ratio (index throughput with ingest running beside it);</li>
 *   <li>the index rebuilt from PostgreSQL alone ({@code POST /api/v1/index/rebuild}): its throughput;</li>
 *   <li>search p50/p95 over HTTP on the N indexed traces: a term, a phrase, a term filtered by task and status;</li>
 *   <li>one scope-drift refresh of every task (references from each task's first week, windows after it),
 *       its duration from the server's gauge.</li>
 * </ol>
 * Run: {@code src/bench/run.sh IndexBenchmark [traces]}.
 */
public final class IndexBenchmark {

    private static final long SEED = 17L;
    private static final int VARIANTS = 4;
    private static final int PARTITIONS = 4;
    private static final int REQUESTS = 200;

    private IndexBenchmark() {
    }

    public static void main(String[] args) {
        Fmt.useJBossLogManager();
        try {
            run(args.length > 0 ? Integer.parseInt(args[0].replace("_", "").replace(",", "")) : 2_000_000);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("index benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(int events) throws Exception {
        Path jar = ServerProcess.runJar(ServerProcess.repoRoot());
        Instant now = Instant.now();
        Duration spread = Duration.ofDays(10);
        System.out.println("TailAudit index benchmark (ingest and index side by side, rebuild, search, scope drift)");
        System.out.println(Fmt.line("events", Fmt.count(events) + " traces at random times over 10 days, "
                + SyntheticTraces.taskCount(VARIANTS) + " tasks, ~1 KiB of input text each (one in five of a new"
                + " kind in the last 3 days)"));
        Fmt.printPlatform();
        try (TempDir tmp = TempDir.create("tailaudit-index-bench");
             EmbeddedPlatform platform = EmbeddedPlatform.start(tmp.resolve("platform"))) {
            TraceLoader.createTopics(platform.bootstrapServers(), PARTITIONS);
            TraceLoader.Produced produced = TraceLoader.produce(platform.bootstrapServers(),
                    new SyntheticTraces(SEED, now, 0, spread, VARIANTS).withText(SEED + 1, now.minus(Duration.ofDays(3))),
                    events);
            System.out.println(Fmt.line("produced", Fmt.count(produced.records()) + " records, avg "
                    + produced.valueBytes() / produced.records() + " bytes/value, in "
                    + Fmt.seconds(produced.elapsed().toNanos())));
            Map<String, String> props = new HashMap<>(ServerProcess.againstPlatform(platform));
            // a console user who may search (text-reader) and rebuild (admin)
            props.put("quarkus.security.users.embedded.users." + ConsoleFigures.USER, ConsoleFigures.USER);
            props.put("quarkus.security.users.embedded.roles." + ConsoleFigures.USER, "viewer,text-reader,admin");
            // the scheduled refresh stays out of the way (one run 30 s after start); the figure is a refresh asked for
            props.put("tailaudit.index.drift-every", "24h");
            try (ServerProcess server = ServerProcess.start(jar, props, tmp.path(), tmp.resolve("server.log"))) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                long boot = System.nanoTime();
                while (server.httpPort().isEmpty()) {
                    if (System.nanoTime() - boot > Duration.ofMinutes(3).toNanos()) {
                        throw new IllegalStateException("the server did not listen within 3 minutes");
                    }
                    Thread.sleep(100);
                }
                int port = server.httpPort().get();
                String base = "http://localhost:" + port;
                // 1. side by side: rows stored and documents indexed, sampled every 200 ms
                long start = System.nanoTime();
                long firstRow = -1;
                long lastRow = -1;
                long firstDoc = -1;
                long lastDoc = -1;
                while (lastDoc < 0) {
                    ServerMetrics m = ServerMetrics.scrape(port);
                    double rows = m.get("tailaudit_ingest_records_total");
                    double docs = m.get("tailaudit_index_documents");
                    long t = System.nanoTime();
                    if (firstRow < 0 && rows > 0) {
                        firstRow = t;
                    }
                    if (lastRow < 0 && rows >= events) {
                        lastRow = t;
                    }
                    if (firstDoc < 0 && docs > 0) {
                        firstDoc = t;
                    }
                    if (docs >= events) {
                        lastDoc = t;
                    }
                    if (t - start > Duration.ofMinutes(30).toNanos()) {
                        throw new IllegalStateException("not indexed after 30 minutes: " + rows + " rows, " + docs
                                + " documents");
                    }
                    Thread.sleep(200);
                }
                double ingestRate = events / ((lastRow - firstRow) / 1e9);
                double indexRate = events / ((lastDoc - firstDoc) / 1e9);
                System.out.println(Fmt.line("ingest beside the index", Fmt.rate(ingestRate) + " traces/s (first row to"
                        + " last, " + Fmt.seconds(lastRow - firstRow) + ")"));
                System.out.println(Fmt.line("index beside ingest", Fmt.rate(indexRate) + " documents/s (first document"
                        + " to last, " + Fmt.seconds(lastDoc - firstDoc) + ")"));
                System.out.println(Fmt.line("index / ingest, same run", String.format(Locale.ROOT, "%.2f (goal >= 0.5)",
                        indexRate / ingestRate)));
                // 2. the index alone: rebuilt from PostgreSQL
                long r0 = System.nanoTime();
                HttpResponse<String> rebuild = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/index/rebuild"))
                        .header("Authorization", ConsoleFigures.basicAuth()).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                if (rebuild.statusCode() != 202) {
                    throw new IllegalStateException("rebuild answered " + rebuild.statusCode() + ": " + rebuild.body());
                }
                Thread.sleep(500);
                while (ServerMetrics.scrape(port).get("tailaudit_index_rebuilding") > 0) {
                    Thread.sleep(200);
                }
                long r1 = System.nanoTime();
                double rebuilt = ServerMetrics.scrape(port).get("tailaudit_index_rebuild_traces_total");
                System.out.println(Fmt.line("index alone (rebuild)", Fmt.rate(rebuilt / ((r1 - r0) / 1e9))
                        + " documents/s (" + Fmt.count((long) rebuilt) + " in " + Fmt.seconds(r1 - r0) + ", read from"
                        + " PostgreSQL)"));
                while (ServerMetrics.scrape(port).get("tailaudit_index_documents") < events) {
                    Thread.sleep(200);
                }
                // 3. search
                String[] words = {"invoice", "shipment", "refund", "warehouse", "subscription", "balance", "supplier",
                        "renewal"};
                report(http, "search term", i -> base + "/api/v1/search?q=" + enc(words[i % words.length]));
                report(http, "search phrase", i -> base + "/api/v1/search?q=" + enc("\"agreed json format\" AND "
                        + words[i % words.length]));
                List<String> tasks = List.of("invoice-extraction-0", "support-chat-1", "ticket-routing-2",
                        "policy-qa-3", "sql-agent-0");
                report(http, "search filtered (task, status)", i -> base + "/api/v1/search?q=" + enc(words[i % words.length])
                        + "&task=" + tasks.get(i % tasks.size()) + "&status=ok");
                report(http, "search best-first", i -> base + "/api/v1/search?order=best&q="
                        + enc(words[i % words.length] + " " + words[(i + 3) % words.length]));
                // 4. scope drift: full refreshes of every task, asked for after indexing: the first scores every
                //    sampled input (what the scheduled run scored while ingest ran is mostly stale), the second
                //    only what changed, as every refresh after the first does
                for (String which : new String[] {"scope drift refresh, first", "scope drift refresh, next"}) {
                    long d0 = System.nanoTime();
                    HttpResponse<String> refresh = http.send(HttpRequest.newBuilder(URI.create(base
                                    + "/api/v1/index/drift")).timeout(Duration.ofMinutes(10))
                            .header("Authorization", ConsoleFigures.basicAuth()).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    long d1 = System.nanoTime();
                    if (refresh.statusCode() != 200) {
                        throw new IllegalStateException("drift refresh answered " + refresh.statusCode() + ": "
                                + refresh.body());
                    }
                    ServerMetrics m = ServerMetrics.scrape(port);
                    System.out.println(Fmt.line(which, String.format(Locale.ROOT, "%.2f s for %,.0f tasks"
                                    + " (%,.0f task x window drifts measured, up to 1,000 inputs each; %s over HTTP)"
                                    + " (goal < 10 s)", m.get("tailaudit_index_drift_refresh_seconds"),
                            m.get("tailaudit_index_drift_refresh_tasks"), m.get("tailaudit_index_drift_refresh_measured"),
                            Fmt.seconds(d1 - d0))));
                }
                System.out.println(Fmt.line("server log", server.countLines("ERROR") + " ERROR, "
                        + server.countLines("WARN") + " WARN lines"));
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void report(HttpClient http, String name, java.util.function.IntFunction<String> url)
            throws Exception {
        for (int i = 0; i < 20; i++) {
            get(http, url.apply(i));
        }
        long[] nanos = new long[REQUESTS];
        long hits = 0;
        for (int i = 0; i < REQUESTS; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(http, url.apply(i));
            nanos[i] = System.nanoTime() - t0;
            hits += r.body().contains("\"total\":0,") ? 0 : 1;
        }
        Arrays.sort(nanos);
        System.out.println(Fmt.line(name, String.format(Locale.ROOT, "p50 %.1f ms, p95 %.1f ms, max %.1f ms over %d"
                        + " requests, %d with hits (goal p95 < 50 ms)", nanos[REQUESTS / 2] / 1e6,
                nanos[(int) Math.ceil(REQUESTS * 0.95) - 1] / 1e6, nanos[REQUESTS - 1] / 1e6, REQUESTS, hits)));
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", ConsoleFigures.basicAuth()).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }
}
