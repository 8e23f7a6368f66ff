package io.tailaudit.server.ingest;

import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.embedded.EmbeddedPlatform;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.Traces;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged server in its own JVM (prod profile, against a real broker and PostgreSQL started here) is
 * killed with SIGKILL at random points while it ingests a steady stream, and restarted, ten times. Runs in
 * the failsafe phase of {@code mvn verify}, after the jar is built. The restarts' resume times are printed,
 * not asserted (CrashRestartBenchmark measures them); the bound below only says a restart resumed at all.
 */
class CrashRestartIT {

    private static final int KILLS = 10;
    private static final int PER_SECOND = 300;
    private static final Duration RESUMES_WITHIN = ofSeconds(60);
    private static final int SIGKILL_EXIT = 128 + 9;

    private Path dir;
    private EmbeddedPlatform platform;
    private final Set<String> produced = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private volatile boolean producing = true;
    private Thread traffic;
    private Process server;

    @BeforeEach
    void startPlatform() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        dir = Files.createTempDirectory(target, "crash-restart-");
        platform = EmbeddedPlatform.start(dir.resolve("platform"));
        Kafka.createTopics(platform.bootstrapServers(), 4, 4);
        Files.createDirectories(dir.resolve("server"));
    }

    @AfterEach
    void stopAll() throws Exception {
        producing = false;
        if (traffic != null) {
            traffic.join();
        }
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (platform != null) {
            platform.close();
        }
        // the servers' logs stay under target/ for a look after a failure; the data goes
        if (dir != null) {
            try (var files = Files.walk(dir.resolve("platform"))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void server_killed_with_sigkill_ten_times_while_ingesting_resumes_each_time_and_stores_every_trace_once()
            throws Exception {
        String task = Traces.uniqueTask("crash-restart");
        traffic = new Thread(() -> produce(task), "crash-restart-traffic");
        traffic.start();
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        System.out.println("CrashRestartIT kill points seed=" + seed);
        List<String> resumes = new ArrayList<>();
        for (int kill = 1; kill <= KILLS; kill++) {
            resumes.add(startThenKill(kill, task, random));
        }
        System.out.println("CrashRestartIT launch -> first new stored row: " + String.join(", ", resumes));

        server = launch(KILLS + 1);
        producing = false;
        traffic.join();
        assertThat(sendFailure.get()).as("every send acknowledged").isNull();
        await().atMost(RESUMES_WITHIN).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(stored(task)).isGreaterThanOrEqualTo(produced.size()));
        assertThat(traceIds(task)).as("every produced trace stored, none twice").hasSize(produced.size())
                .containsExactlyInAnyOrderElementsOf(produced);
        assertThat(count("SELECT count(*) FROM dead_letter")).as("no record dead-lettered").isZero();
    }

    /** Starts the server, waits for its first new stored row, kills it at a random later row; returns the wait. */
    private String startThenKill(int n, String task, Random random) throws Exception {
        long before = stored(task);
        long launched = System.nanoTime();
        Process running = launch(n);
        server = running;
        await().atMost(RESUMES_WITHIN).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(stored(task)).as("rows after start %d (log %s)", n, log(n))
                        .isGreaterThan(before));
        String resumed = String.format("%.1fs", (System.nanoTime() - launched) / 1e9);
        // a random point of ingest: while a batch is polled, stored or its offsets committed
        long killAt = stored(task) + 1 + random.nextInt(PER_SECOND * 2);
        await().atMost(RESUMES_WITHIN).pollInterval(Duration.ofMillis(10))
                .until(() -> stored(task) >= killAt || !running.isAlive());
        assertThat(running.isAlive()).as("server alive before kill %d (log %s)", n, log(n)).isTrue();
        running.destroyForcibly();
        assertThat(running.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(running.exitValue()).as("exit code of a SIGKILLed JVM").isEqualTo(SIGKILL_EXIT);
        return resumed;
    }

    private void produce(String task) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            long sent = 0;
            while (producing) {
                long due = (System.nanoTime() - start) * PER_SECOND / 1_000_000_000L;
                for (; sent < due; sent++) {
                    Trace t = Traces.ok(task).build();
                    producer.send(new ProducerRecord<>("tailaudit.traces", t.traceId(), EventWriter.write(t)), (m, e) -> {
                        if (e == null) {
                            produced.add(t.traceId());
                        } else {
                            sendFailure.compareAndSet(null, e);
                        }
                    });
                }
                // pace the stream: the producer's own linger would not
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            producer.flush();
        }
    }

    /** {@code java -jar quarkus-run.jar} against this test's broker and database, in the same directory each time. */
    private Process launch(int n) throws IOException {
        Path jar = Path.of(System.getProperty("tailaudit.server.jar", "target/quarkus-app/quarkus-run.jar"));
        assertThat(jar).as("the packaged server (failsafe runs after package)").isRegularFile();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        Map.of("quarkus.profile", "prod",
                "tailaudit.embedded.enabled", "false",
                "quarkus.datasource.jdbc.url", platform.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "",
                "kafka.bootstrap.servers", platform.bootstrapServers(),
                "tailaudit.demo.enabled", "false",
                "tailaudit.ingest.batch-size", "500",
                "quarkus.http.port", "0").forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        return new ProcessBuilder(cmd).directory(dir.resolve("server").toFile()).redirectErrorStream(true)
                .redirectOutput(log(n).toFile()).start();
    }

    private Path log(int n) {
        return dir.resolve("server-" + n + ".log");
    }

    private long stored(String task) throws SQLException {
        return count("SELECT count(*) FROM trace WHERE task = ?", task);
    }

    private long count(String sql, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection(platform.jdbcUrl())) {
            return Db.count(c, sql, args);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return 0;       // the first start's migrations have not created the table yet
            }
            throw e;
        }
    }

    private List<String> traceIds(String task) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(platform.jdbcUrl());
             PreparedStatement ps = c.prepareStatement("SELECT trace_id FROM trace WHERE task = ?")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }
}
