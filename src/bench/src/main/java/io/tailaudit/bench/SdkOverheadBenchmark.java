package io.tailaudit.bench;

import io.tailaudit.sdk.ClientStats;
import io.tailaudit.sdk.TailAudit;
import io.tailaudit.sdk.TailAuditClient;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.embedded.EmbeddedKafka;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * What {@link TailAuditClient#record(Trace)} costs the caller's thread, timed call by call, with the
 * broker up (events flow) and with the broker down (the queue fills and events are dropped). Calls come
 * in bursts of 1000 at a fixed pace; with the broker up the pace also waits while the queue is more than
 * half full, so what is timed is the enqueue, never a full queue. The same two with the on-disk spool on
 * (with the broker down the spool takes what the queue cannot hold: nothing is dropped), then the replay: a
 * new client on the spool the broker-down run left, against a live broker, timed until all of it is
 * acknowledged. Usage: {@code SdkOverheadBenchmark [timed calls, default 200000]}.
 */
public final class SdkOverheadBenchmark {

    private static final int WARMUP = 50_000;
    private static final int BURST = 1_000;
    private static final long BURST_INTERVAL_NANOS = Duration.ofMillis(10).toNanos();
    private static final int QUEUE_UP = 100_000;
    private static final int QUEUE_DOWN = 1_000;
    private static final int QUEUE_SPOOL = 10_000;
    private static final double GOAL_P99_MICROS = 50;

    private record Result(String scenario, Histogram latency, long accepted, long dropped, ClientStats stats,
                          long elapsedNanos, long gcCount, long gcMillis) {
    }

    private SdkOverheadBenchmark() {
    }

    public static void main(String[] args) {
        Fmt.useJBossLogManager();
        try {
            run(args.length > 0 ? Integer.parseInt(args[0].replace("_", "").replace(",", "")) : 200_000);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("sdk overhead benchmark failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(int timed) throws Exception {
        System.out.println("TailAudit SDK overhead benchmark (caller-thread latency of TailAuditClient.record)");
        System.out.println(Fmt.line("calls per scenario", Fmt.count(WARMUP) + " warm-up + " + Fmt.count(timed)
                + " timed, bursts of " + BURST + " every " + BURST_INTERVAL_NANOS / 1_000_000 + " ms (<= "
                + Fmt.rate(BURST * 1e9 / BURST_INTERVAL_NANOS) + " calls/s), traces built before timing"));
        System.out.println(Fmt.line("broker up", "in-process Kafka, queueCapacity " + Fmt.count(QUEUE_UP)));
        System.out.println(Fmt.line("broker down", "127.0.0.1:<closed port>, queueCapacity " + Fmt.count(QUEUE_DOWN)));
        Fmt.printPlatform();
        System.out.println(Fmt.line("spool", "on disk in the benchmark's temporary folder, fsync every 1 s"
                + " (the default), up to 1 GiB; broker down with the spool: queueCapacity " + Fmt.count(QUEUE_SPOOL)
                + " (the default)"));
        Trace[] traces = buildTraces(WARMUP + timed);
        Result up;
        Result spoolUp;
        Result down;
        Result spoolDown;
        String replay;
        try (TempDir tmp = TempDir.create("tailaudit-sdk-bench")) {
            try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
                TraceLoader.createTopics(kafka.bootstrapServers(), 4);
                up = measure("broker up", config(kafka.bootstrapServers(), QUEUE_UP), traces, true);
                spoolUp = measure("broker up, spool on", spooled(kafka.bootstrapServers(), QUEUE_UP,
                        tmp.resolve("spool-up")), traces, true);
            }
            String nowhere = "127.0.0.1:" + closedPort();
            down = measure("broker down", config(nowhere, QUEUE_DOWN), traces, false);
            // the spool takes what the queue holds at disk speed: the SDK's default queue absorbs a burst meanwhile
            spoolDown = measure("broker down, spool on", spooled(nowhere, QUEUE_SPOOL, tmp.resolve("spool-down")),
                    traces, false);
            try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka-replay"))) {
                TraceLoader.createTopics(kafka.bootstrapServers(), 4);
                long backlog = spoolDown.stats().spooled();
                long events = spoolDown.stats().accepted();
                long t0 = System.nanoTime();
                try (TailAuditClient next = TailAudit.client(spooled(kafka.bootstrapServers(), QUEUE_UP,
                        tmp.resolve("spool-down")))) {
                    boolean done = next.flush(Duration.ofMinutes(10));
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    replay = Fmt.count(events) + " events (" + Fmt.count(backlog / 1024 / 1024) + " MiB) in "
                            + String.format(java.util.Locale.ROOT, "%.1f s: %s events/s, %s MiB/s%s", seconds,
                            Fmt.rate(events / seconds), Fmt.rate(backlog / 1024.0 / 1024 / seconds),
                            done ? "" : " (NOT all acknowledged within 10 minutes)");
                }
            }
        }
        System.out.println("results (µs per record() call, caller thread)");
        print(up);
        print(spoolUp);
        print(down);
        print(spoolDown);
        System.out.println(Fmt.line("replay after the outage", replay));
        System.out.println("goal: p99 < 50 µs in all four; with the spool on, nothing dropped");
        for (Result r : new Result[] {up, spoolUp, down, spoolDown}) {
            double p99 = r.latency().getValueAtPercentile(99) / 1e3;
            System.out.println(Fmt.line(r.scenario(), (p99 < GOAL_P99_MICROS ? "PASS" : "FAIL") + " (p99 "
                    + Fmt.micros(r.latency().getValueAtPercentile(99)) + ")"));
        }
    }

    private static TailAuditConfig config(String bootstrap, int queueCapacity) {
        return TailAuditConfig.builder(bootstrap).queueCapacity(queueCapacity).clientId("tailaudit-bench-sdk")
                .closeTimeout(Duration.ofSeconds(2)).build();
    }

    private static TailAuditConfig spooled(String bootstrap, int queueCapacity, java.nio.file.Path dir) {
        return TailAuditConfig.builder(bootstrap).queueCapacity(queueCapacity).clientId("tailaudit-bench-sdk")
                .closeTimeout(Duration.ofSeconds(2)).spool(dir).spoolMaxBytes(1024L * 1024 * 1024).build();
    }

    private static Trace[] buildTraces(int n) {
        SyntheticTraces gen = new SyntheticTraces(7L, Instant.now());
        Trace[] traces = new Trace[n];
        for (int i = 0; i < n; i++) {
            traces[i] = gen.next();
        }
        return traces;
    }

    private static Result measure(String scenario, TailAuditConfig config, Trace[] traces, boolean waitForDrain) {
        TailAuditClient client = TailAudit.client(config);
        try {
            calls(client, traces, 0, WARMUP, waitForDrain, null);
            if (waitForDrain) {
                client.flush(Duration.ofSeconds(60));
            }
            long gcCount = gcCount();
            long gcMillis = gcMillis();
            Histogram h = new Histogram(3);
            long[] counts = new long[2];
            long start = System.nanoTime();
            calls(client, traces, WARMUP, traces.length, waitForDrain, new Recorder(h, counts));
            long elapsed = System.nanoTime() - start;
            long gcs = gcCount() - gcCount;
            long gcMs = gcMillis() - gcMillis;
            if (waitForDrain && !client.flush(Duration.ofSeconds(60))) {
                System.err.println(scenario + ": flush did not finish within 60 s");
            }
            return new Result(scenario, h, counts[0], counts[1], client.stats(), elapsed, gcs, gcMs);
        } finally {
            client.close();
        }
    }

    /** Timed calls go to {@code recorder}; warm-up calls pass null. */
    private static void calls(TailAuditClient client, Trace[] traces, int from, int to, boolean waitForDrain,
                              Recorder recorder) {
        long next = System.nanoTime();
        for (int i = from; i < to; i++) {
            long t0 = System.nanoTime();
            boolean ok = client.record(traces[i]);
            long t1 = System.nanoTime();
            if (recorder != null) {
                recorder.record(t1 - t0, ok);
            }
            if ((i - from + 1) % BURST == 0) {
                next += BURST_INTERVAL_NANOS;
                pace(client, next, waitForDrain);
            }
        }
    }

    /** Between bursts, outside the timed calls: sleep to the next slot, and keep the queue under half full. */
    private static void pace(TailAuditClient client, long next, boolean waitForDrain) {
        long wait;
        while ((wait = next - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
        while (waitForDrain && client.stats().queued() > QUEUE_UP / 2) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private record Recorder(Histogram histogram, long[] counts) {
        void record(long nanos, boolean accepted) {
            histogram.recordValue(nanos);
            counts[accepted ? 0 : 1]++;
        }
    }

    private static void print(Result r) {
        Histogram h = r.latency();
        System.out.println(Fmt.line(r.scenario(), "p50 " + Fmt.micros(h.getValueAtPercentile(50)) + ", p99 "
                + Fmt.micros(h.getValueAtPercentile(99)) + ", p99.9 " + Fmt.micros(h.getValueAtPercentile(99.9))
                + ", max " + Fmt.micros(h.getMaxValue()) + ", mean " + Fmt.micros((long) h.getMean())));
        System.out.println(Fmt.line("", "timed calls: accepted " + Fmt.count(r.accepted()) + ", dropped "
                + Fmt.count(r.dropped()) + "; " + Fmt.rate(h.getTotalCount() / (r.elapsedNanos() / 1e9))
                + " calls/s offered; " + r.gcCount() + " GCs (" + r.gcMillis() + " ms) while timing"));
        ClientStats s = r.stats();
        System.out.println(Fmt.line("", "client stats incl. warm-up: accepted " + Fmt.count(s.accepted())
                + ", dropped " + Fmt.count(s.dropped()) + ", sent " + Fmt.count(s.sent()) + ", failed "
                + Fmt.count(s.failed()) + ", queued " + Fmt.count(s.queued()) + ", spooled "
                + Fmt.count(s.spooled() / 1024) + " KiB"));
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    /** A port nothing listens on: bound and released at once. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
