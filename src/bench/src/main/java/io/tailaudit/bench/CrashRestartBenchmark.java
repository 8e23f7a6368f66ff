package io.tailaudit.bench;

import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.embedded.EmbeddedPlatform;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ingest after a crash: the packaged server (prod profile, separate JVM) ingests a steady stream of traces
 * from an embedded Kafka into an embedded PostgreSQL and is killed with SIGKILL at a random moment, then
 * restarted in the same working directory, N times. For each restart it prints the time from the launch to
 * readiness ({@code /q/health/ready} 200), to the first new stored row, from readiness to that row, and,
 * from the server's log, from its consumer's start to its partitions assigned (the group join, the part
 * group membership decides; most of the rest is the JVM and Quarkus starting), then median and max of
 * each; at the end it checks that every produced trace is stored exactly once.
 * Usage: {@code CrashRestartBenchmark [kills, default 10] [static|dynamic, default static]}; {@code dynamic}
 * turns static group membership off, to show what a restart costs without it.
 */
public final class CrashRestartBenchmark {

    private static final long SEED = 20240611L;
    private static final int PARTITIONS = 4;
    private static final int RATE_PER_SECOND = 500;
    private static final long POLL_MILLIS = 50;
    private static final Duration RESTART_LIMIT = Duration.ofMinutes(3);
    private static final double GOAL_SECONDS = 5;
    private static final String ROWS = "SELECT coalesce(sum(traces), 0) FROM task_volume_daily";

    /** joinMillis: from the consumer's start to its partitions assigned, by the server's log; -1 unknown. */
    private record Restart(long toReadyNanos, long toFirstRowNanos, long joinMillis, int exitCode) {
    }

    private CrashRestartBenchmark() {
    }

    public static void main(String[] args) {
        Fmt.useJBossLogManager();
        try {
            int kills = args.length > 0 ? Integer.parseInt(args[0]) : 10;
            String mode = args.length > 1 ? args[1] : "static";
            if (kills < 1 || !List.of("static", "dynamic").contains(mode)) {
                throw new IllegalArgumentException("usage: CrashRestartBenchmark [kills >= 1] [static|dynamic], got "
                        + String.join(" ", args));
            }
            run(kills, mode.equals("static"));
            System.exit(0);
        } catch (Exception e) {
            System.err.println("crash restart benchmark failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(int kills, boolean staticMembership) throws Exception {
        Path jar = ServerProcess.runJar(ServerProcess.repoRoot());
        Random random = new Random(SEED);
        try (TempDir tmp = TempDir.create("tailaudit-crash-bench")) {
            System.out.println("TailAudit crash-restart benchmark (SIGKILL while ingesting, restart -> first stored row)");
            System.out.println(Fmt.line("kills", kills + ", each 1-4 s (random, seed " + SEED + ") after the server"
                    + " stored its first row"));
            System.out.println(Fmt.line("group membership", staticMembership
                    ? "static (group.instance.id derived, the same across restarts), session timeout default"
                    : "dynamic (tailaudit.ingest.static-membership=false)"));
            System.out.println(Fmt.line("traffic", RATE_PER_SECOND + " traces/s produced throughout, "
                    + PARTITIONS + " partitions"));
            Fmt.printPlatform();
            System.out.println(Fmt.line("server", jar + " (profile prod, separate JVM, same working directory"
                    + " every start)"));
            try (EmbeddedPlatform platform = EmbeddedPlatform.start(tmp.resolve("platform"))) {
                TraceLoader.createTopics(platform.bootstrapServers(), PARTITIONS);
                measure(platform, jar, tmp, kills, staticMembership, random);
            }
        }
    }

    private static void measure(EmbeddedPlatform platform, Path jar, TempDir tmp, int kills, boolean staticMembership,
                                Random random) throws Exception {
        try (Traffic traffic = Traffic.start(platform.bootstrapServers())) {
            Path work = tmp.resolve("server");
            java.nio.file.Files.createDirectories(work);
            List<Restart> restarts = new ArrayList<>();
            Restart first = null;
            for (int i = 0; i <= kills; i++) {
                Restart r = cycle(platform, jar, work, i, staticMembership, random, i < kills);
                if (i == 0) {
                    first = r;
                } else {
                    restarts.add(r);
                }
                System.out.println(Fmt.line(i == 0 ? "first start" : "restart " + i, "ready "
                        + Fmt.seconds(r.toReadyNanos()) + ", first stored row " + Fmt.seconds(r.toFirstRowNanos())
                        + ", consumer start -> assigned " + Fmt.seconds(r.joinMillis() * 1_000_000)
                        + (i < kills ? ", then SIGKILL (exit code " + r.exitCode()
                        + (r.exitCode() == 137 ? ")" : ": it had already exited, something else stopped it)") : "")));
            }
            printResults(first, restarts);
            check(platform, jar, work, traffic.stop(), staticMembership);
        }
    }

    /** Starts the server, times it to readiness and to its first stored row, then kills it (or stops it). */
    private static Restart cycle(EmbeddedPlatform platform, Path jar, Path work, int n, boolean staticMembership,
                                 Random random, boolean kill) throws Exception {
        Map<String, String> props = props(platform, staticMembership);
        long rowsBefore = rows(platform.jdbcUrl());
        ServerProcess server = ServerProcess.start(jar, props, work, work.resolve("server-" + n + ".log"));
        try {
            long ready = -1;
            long firstRow = -1;
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + props.get("quarkus.http.port")
                    + "/q/health/ready")).timeout(Duration.ofSeconds(2)).GET().build();
            try (Connection c = DriverManager.getConnection(platform.jdbcUrl()); Statement st = c.createStatement()) {
                long deadline = server.startNanos() + RESTART_LIMIT.toNanos();
                while (ready < 0 || firstRow < 0) {
                    server.requireAlive();
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("start " + n + " not ready and ingesting within "
                                + RESTART_LIMIT.toSeconds() + " s; last server log lines:\n"
                                + String.join("\n", server.logTail(40)));
                    }
                    if (firstRow < 0 && rows(st) > rowsBefore) {
                        firstRow = System.nanoTime() - server.startNanos();
                    }
                    if (ready < 0 && isReady(http, req)) {
                        ready = System.nanoTime() - server.startNanos();
                    }
                    Thread.sleep(POLL_MILLIS);
                }
            }
            long join = joinMillis(server);
            if (!kill) {
                server.close();
                return new Restart(ready, firstRow, join, server.exitCode());
            }
            // a random moment of ingest: mid-batch, mid-commit or between them
            Thread.sleep(1000 + random.nextInt(3000));
            return new Restart(ready, firstRow, join, server.kill());
        } catch (Exception | Error e) {
            server.kill();
            throw e;
        }
    }

    /** What group membership costs: the consumer's start to its partitions assigned, from the server's log. */
    private static long joinMillis(ServerProcess server) {
        var start = server.loggedAt("ingest group membership");
        var assigned = server.loggedAt("ingest partitions assigned");
        return start.isEmpty() || assigned.isEmpty() ? -1
                : Duration.between(start.get(), assigned.get()).toMillis();
    }

    private static Map<String, String> props(EmbeddedPlatform platform, boolean staticMembership) throws IOException {
        Map<String, String> props = new HashMap<>(ServerProcess.againstPlatform(platform));
        props.put("quarkus.http.port", Integer.toString(freePort()));
        if (!staticMembership) {
            props.put("tailaudit.ingest.static-membership", "false");
        }
        return props;
    }

    private static void printResults(Restart first, List<Restart> restarts) {
        List<Long> toRow = restarts.stream().map(Restart::toFirstRowNanos).sorted().toList();
        List<Long> toReady = restarts.stream().map(Restart::toReadyNanos).sorted().toList();
        System.out.println("results over " + restarts.size() + " restarts after SIGKILL (launch = process start)");
        System.out.println(Fmt.line("launch -> ready, median/max", Fmt.seconds(median(toReady)) + " / "
                + Fmt.seconds(toReady.getLast()) + " (first, cold start: " + Fmt.seconds(first.toReadyNanos()) + ")"));
        System.out.println(Fmt.line("launch -> first row, median/max", Fmt.seconds(median(toRow)) + " / "
                + Fmt.seconds(toRow.getLast()) + " (first, cold start: " + Fmt.seconds(first.toFirstRowNanos()) + ")"));
        // the part group membership decides: a dynamic member restarted after a crash waits here for the
        // broker to expire the dead member's session; the rest is the JVM and Quarkus starting
        List<Long> readyToRow = restarts.stream().map(r -> r.toFirstRowNanos() - r.toReadyNanos()).sorted().toList();
        System.out.println(Fmt.line("ready -> first row, median/max", Fmt.seconds(median(readyToRow)) + " / "
                + Fmt.seconds(readyToRow.getLast())));
        List<Long> join = restarts.stream().map(r -> r.joinMillis() * 1_000_000).sorted().toList();
        System.out.println(Fmt.line("consumer start -> assigned, median/max", Fmt.seconds(median(join)) + " / "
                + Fmt.seconds(join.getLast()) + " (server log: the group join, what static membership shortens)"));
        System.out.println(Fmt.line("  goal", String.format(Locale.ROOT, "< %.0f s: from launch %s, from ready %s",
                GOAL_SECONDS, toRow.getLast() / 1e9 < GOAL_SECONDS ? "met" : "NOT met",
                readyToRow.getLast() / 1e9 < GOAL_SECONDS ? "met" : "NOT met")));
    }

    /** Starts the server once more, lets it drain what is left and checks every produced trace is a row once. */
    private static void check(EmbeddedPlatform platform, Path jar, Path work, long produced, boolean staticMembership)
            throws Exception {
        String jdbcUrl = platform.jdbcUrl();
        try (ServerProcess server = ServerProcess.start(jar, props(platform, staticMembership), work,
                work.resolve("server-drain.log"))) {
            IngestProgress.await(jdbcUrl, server, produced);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT trace_id) FROM trace")) {
            rs.next();
            System.out.println(Fmt.line("check", "produced " + Fmt.count(produced) + ", count(*) FROM trace = "
                    + Fmt.count(rs.getLong(1)) + ", distinct trace_id = " + Fmt.count(rs.getLong(2))));
            if (rs.getLong(1) != produced || rs.getLong(2) != produced) {
                throw new IllegalStateException("expected every produced trace stored exactly once");
            }
        }
    }

    private static long median(List<Long> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static boolean isReady(HttpClient http, HttpRequest req) throws InterruptedException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notListening) {
            return false;
        }
    }

    private static long rows(String jdbcUrl) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
            return rows(st);
        }
    }

    /** 0 until Flyway has created the table. */
    private static long rows(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery(ROWS)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return 0;
            }
            throw e;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A steady stream of traces at {@link #RATE_PER_SECOND} on its own thread, counting acknowledged sends. */
    private static final class Traffic implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final AtomicLong acked = new AtomicLong();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile boolean running = true;

        private Traffic(String bootstrap) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                    ProducerConfig.CLIENT_ID_CONFIG, "tailaudit-crash-bench"), new StringSerializer(),
                    new ByteArraySerializer());
            thread = new Thread(this::produce, "crash-bench-traffic");
        }

        /** Starts producing once the producer knows every partition's leader. */
        static Traffic start(String bootstrap) {
            Traffic t = new Traffic(bootstrap);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // a first send to a partition whose leader is not settled yet can leave the idempotent producer
            // out of sequence on it for good (OUT_OF_ORDER_SEQUENCE_NUMBER until the batch expires)
            while (t.producer.partitionsFor(TraceLoader.TOPIC).stream().anyMatch(p -> p.leader() == null)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no leader for every partition of " + TraceLoader.TOPIC + " in 30 s");
                }
                Thread.onSpinWait();
            }
            t.thread.start();
            return t;
        }

        private void produce() {
            SyntheticTraces traces = new SyntheticTraces(SEED, Instant.now());
            long start = System.nanoTime();
            long sent = 0;
            while (running) {
                long due = (System.nanoTime() - start) * RATE_PER_SECOND / 1_000_000_000L;
                for (; sent < due; sent++) {
                    Trace t = traces.next();
                    producer.send(new ProducerRecord<>(TraceLoader.TOPIC, t.traceId(), EventWriter.write(t)), (m, e) -> {
                        if (e == null) {
                            acked.incrementAndGet();
                        } else {
                            failure.compareAndSet(null, e);
                        }
                    });
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Stops producing; returns how many traces the broker acknowledged. */
        long stop() throws InterruptedException {
            running = false;
            thread.join();
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("a send failed: " + failure.get(), failure.get());
            }
            return acked.get();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
            producer.close();
        }
    }
}
