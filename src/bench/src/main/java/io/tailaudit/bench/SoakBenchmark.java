package io.tailaudit.bench;

import io.tailaudit.sdk.TailAudit;
import io.tailaudit.sdk.TailAuditClient;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.embedded.EmbeddedPlatform;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The platform under more than it sustains, and how it comes back. It first measures the rate ingest
 * sustains here (a backlog of stamped events drained by the server), then an SDK client records at
 * {@code factor} times that rate for {@code minutes} while another thread queries the task list and a task
 * page. Every 10 s it prints the consumer lag and the heap after the last GC; at the end the API's p95
 * during the burst, the catch-up time (burst end until every event is stored) and the ledger's verdict on
 * the producer (expected against stored). The server runs with a fixed heap ({@code -Xmx1g}). Usage:
 * {@code SoakBenchmark [minutes, default 10] [factor, default 2]}.
 */
public final class SoakBenchmark {

    private static final String HEAP = "-Xmx1g";
    /** Events of the calibration backlog; the rate is read over its last two thirds (past the warm-up). */
    private static final int CALIBRATION = 300_000;

    private SoakBenchmark() {
    }

    public static void main(String[] args) {
        Fmt.useJBossLogManager();
        try {
            run(args.length > 0 ? Double.parseDouble(args[0]) : 10, args.length > 1 ? Double.parseDouble(args[1]) : 2);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("soak benchmark failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(double minutes, double factor) throws Exception {
        System.out.println("TailAudit soak benchmark (recording above the sustained rate, with the API queried)");
        Fmt.printPlatform();
        Path jar = ServerProcess.runJar(ServerProcess.repoRoot());
        try (TempDir tmp = TempDir.create("tailaudit-soak-bench");
             EmbeddedPlatform platform = EmbeddedPlatform.start(tmp.resolve("platform"))) {
            TraceLoader.createTopics(platform.bootstrapServers(), 4);
            Map<String, String> props = new HashMap<>(ServerProcess.againstPlatform(platform));
            props.putAll(ConsoleFigures.user());
            props.put("tailaudit.index.enabled", "false");
            try (ServerProcess server = ServerProcess.start(jar, List.of(HEAP), props, tmp.path(),
                    tmp.resolve("server.log"))) {
                while (server.httpPort().isEmpty()) {
                    server.requireAlive();
                    Thread.sleep(100);
                }
                int port = server.httpPort().get();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                SyntheticTraces traces = new SyntheticTraces(7, Instant.now());
                try (TailAuditClient client = TailAudit.client(TailAuditConfig.builder(platform.bootstrapServers())
                        .queueCapacity(200_000).build())) {
                    // 1. what ingest sustains here: a backlog drained, timed once the server is warm
                    for (int i = 0; i < CALIBRATION; i++) {
                        while (!client.record(traces.next())) {
                            Thread.sleep(1);
                        }
                    }
                    awaitStored(port, CALIBRATION / 3, Duration.ofMinutes(10));
                    long c0 = System.nanoTime();
                    awaitStored(port, CALIBRATION, Duration.ofMinutes(10));
                    double sustained = (CALIBRATION - CALIBRATION / 3) / ((System.nanoTime() - c0) / 1e9);
                    double rate = sustained * factor;
                    System.out.println(Fmt.line("sustained", Fmt.rate(sustained) + " events/s (a backlog of "
                            + Fmt.count(CALIBRATION) + ", over its last two thirds)"));
                    System.out.println(Fmt.line("burst", String.format(Locale.ROOT, "%s events/s for %.1f min (%.1fx),"
                            + " server heap %s", Fmt.rate(rate), minutes, factor, HEAP)));
                    // 2. the burst, with the API queried beside it
                    Histogram api = new Histogram(3);
                    AtomicBoolean bursting = new AtomicBoolean(true);
                    Thread reader = new Thread(() -> query(http, port, api, bursting), "soak-api");
                    reader.start();
                    long start = System.nanoTime();
                    long end = start + (long) (minutes * 60e9);
                    long recorded = CALIBRATION;
                    long nextReport = start + 10_000_000_000L;
                    long peakLag = 0;
                    while (System.nanoTime() < end) {
                        long due = (long) ((System.nanoTime() - start) / 1e9 * rate) + CALIBRATION;
                        while (recorded < due) {
                            if (client.record(traces.next())) {
                                recorded++;
                            } else {
                                break;              // the SDK's queue is full: it counts the drop
                            }
                        }
                        if (System.nanoTime() >= nextReport) {
                            ServerMetrics m;
                            try {
                                m = ServerMetrics.scrape(port);
                            } catch (java.io.IOException e) {
                                System.out.println(Fmt.line("metrics", "the scrape timed out (" + e.getMessage() + ")"));
                                nextReport += 10_000_000_000L;
                                continue;
                            }
                            long lag = (long) m.get("tailaudit_ingest_consumer_lag_records");
                            peakLag = Math.max(peakLag, lag);
                            System.out.println(Fmt.line(String.format(Locale.ROOT, "t+%3.0f s",
                                    (System.nanoTime() - start) / 1e9), String.format(Locale.ROOT, "lag %,d records,"
                                    + " heap after GC %.0f MB, %s recorded", lag,
                                    m.get("jvm_gc_live_data_size_bytes") / 1e6, Fmt.count(recorded))));
                            nextReport += 10_000_000_000L;
                        }
                        LockSupport.parkNanos(1_000_000);
                    }
                    bursting.set(false);
                    reader.join();
                    long burstEnd = System.nanoTime();
                    client.flush(Duration.ofMinutes(5));
                    long dropped = client.stats().dropped();
                    long accepted = client.stats().accepted();
                    awaitStored(port, accepted, Duration.ofMinutes(60));
                    double catchUp = (System.nanoTime() - burstEnd) / 1e9;
                    ServerMetrics m = ServerMetrics.scrape(port);
                    System.out.println(Fmt.line("recorded", Fmt.count(accepted) + " accepted, " + Fmt.count(dropped)
                            + " dropped by the SDK (queue full; they are gaps in its sequence)"));
                    System.out.println(Fmt.line("peak lag", Fmt.count(peakLag) + " records"));
                    System.out.println(Fmt.line("catch-up", String.format(Locale.ROOT, "%.1f s after the burst until"
                            + " every accepted event was stored", catchUp)));
                    System.out.println(Fmt.line("API during the burst", String.format(Locale.ROOT, "p50 %.1f ms,"
                                    + " p95 %.1f ms, max %.1f ms over %,d requests (task list, task page)",
                            api.getValueAtPercentile(50) / 1e6, api.getValueAtPercentile(95) / 1e6,
                            api.getMaxValue() / 1e6, api.getTotalCount())));
                    System.out.println(Fmt.line("heap after GC, end", String.format(Locale.ROOT, "%.0f MB (of %s;"
                                    + " G1's old generation after its last collection, garbage included)",
                            m.get("jvm_gc_live_data_size_bytes") / 1e6, HEAP)));
                    System.out.println(Fmt.line("live heap, end", liveAfterFullGc(server, port)));
                    System.out.println(Fmt.line("ledger", ledger(http, port, client.producerId())));
                    System.out.println(Fmt.line("server log", server.countLines("ERROR") + " ERROR, "
                            + server.countLines("WARN") + " WARN lines"));
                    for (String level : List.of("ERROR", "WARN")) {
                        server.lines(level, 10).forEach(l -> System.out.println("    " + l));
                    }
                }
            }
        }
    }

    /** What the server's heap holds after a full collection ({@code jcmd GC.run}): its real live set. */
    private static String liveAfterFullGc(ServerProcess server, int port) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(server.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            return "unknown (jcmd GC.run failed)";
        }
        Thread.sleep(500);
        ServerMetrics m = ServerMetrics.scrape(port);
        return String.format(Locale.ROOT, "%.0f MB after a full GC (jcmd GC.run), %.0f MB of heap and non-heap in use",
                m.get("jvm_gc_live_data_size_bytes") / 1e6, m.get("jvm_memory_used_bytes") / 1e6);
    }

    /** The stored count ingest reports, once it reaches {@code n}. */
    private static long awaitStored(int port, long n, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                double stored = ServerMetrics.scrape(port).get("tailaudit_ingest_records_total");
                if (stored >= n) {
                    return (long) stored;
                }
            } catch (java.io.IOException e) {
                // a server catching up on two busy cores may miss the 10 s scrape timeout: ask again
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("fewer than " + n + " traces stored within " + limit);
    }

    private static void query(HttpClient http, int port, Histogram into, AtomicBoolean running) {
        String base = "http://localhost:" + port;
        String[] urls = {base + "/api/v1/tasks?window=24h", base + "/api/v1/tasks/invoice-extraction-0?window=24h"};
        int i = 0;
        while (running.get()) {
            try {
                long t0 = System.nanoTime();
                http.send(HttpRequest.newBuilder(URI.create(urls[i++ % urls.length]))
                        .header("Authorization", ConsoleFigures.basicAuth()).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.discarding());
                into.recordValue(System.nanoTime() - t0);
                Thread.sleep(200);
            } catch (Exception e) {
                if (running.get()) {
                    System.err.println("api query failed: " + e);
                }
            }
        }
    }

    private static String ledger(HttpClient http, int port, String producer) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/producers?window=24h"))
                .header("Authorization", ConsoleFigures.basicAuth()).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (com.fasterxml.jackson.databind.JsonNode p : new com.fasterxml.jackson.databind.ObjectMapper().readTree(body)
                .path("producers")) {
            if (producer.equals(p.path("producer_id").asText())) {
                return String.format(Locale.ROOT, "%s: expected %,d, stored %,d, dead-lettered %,d, missing %,d (%s)",
                        p.path("state").asText(), p.path("expected").asLong(), p.path("stored").asLong(),
                        p.path("dead_lettered").asLong(), p.path("missing").asLong(), p.path("missing").asLong() == 0
                                ? "nothing lost" : "the SDK's own drops are the gaps; nothing it accepted is missing"
                                + " if missing equals its dropped count");
            }
        }
        return "the producer is not in the ledger";
    }
}
