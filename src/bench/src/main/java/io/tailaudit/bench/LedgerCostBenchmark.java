package io.tailaudit.bench;

import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.embedded.EmbeddedPlatform;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the reconciliation ledger costs ingest: the same server ingests runs of stamped events (as the SDK
 * sends them) with {@code tailaudit.ingest.ledger} on and off, alternating (on, off, off, on, ...) so the
 * growing table weighs on both alike, into one database, each run from a topic of its own. Prints each
 * run's rate (first new row to the last) and the mean ratio, and checks that the ledger of every run with
 * it on accounts for every event. Usage: {@code LedgerCostBenchmark [events per run, default 200000]
 * [runs per setting, default 2]}.
 */
public final class LedgerCostBenchmark {

    private static final int PARTITIONS = 4;
    private static final long SEED = 42;

    private LedgerCostBenchmark() {
    }

    public static void main(String[] args) {
        Fmt.useJBossLogManager();
        try {
            run(args.length > 0 ? Integer.parseInt(args[0].replace("_", "").replace(",", "")) : 200_000,
                    args.length > 1 ? Integer.parseInt(args[1]) : 2);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("ledger cost benchmark failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(int events, int runs) throws Exception {
        System.out.println("TailAudit ledger cost benchmark (ingest with the producer ledger on and off, same run)");
        System.out.println(Fmt.line("events", Fmt.count(events) + " stamped traces per run, " + runs
                + " runs per setting, alternating"));
        Fmt.printPlatform();
        Path jar = ServerProcess.runJar(ServerProcess.repoRoot());
        Instant now = Instant.now();
        List<Double> on = new ArrayList<>();
        List<Double> off = new ArrayList<>();
        try (TempDir tmp = TempDir.create("tailaudit-ledger-bench");
             EmbeddedPlatform platform = EmbeddedPlatform.start(tmp.resolve("platform"))) {
            // every run's topic, filled before any server starts: each run meets the same backlog
            List<NewTopic> topics = new ArrayList<>();
            for (int k = 0; k < 2 * runs; k++) {
                topics.add(new NewTopic("ledger-bench-" + k, PARTITIONS, (short) 1));
                topics.add(new NewTopic("ledger-bench-" + k + ".dlq", PARTITIONS, (short) 1));
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    platform.bootstrapServers()))) {
                admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            }
            for (int k = 0; k < 2 * runs; k++) {
                produce(platform.bootstrapServers(), "ledger-bench-" + k, "bench-run-" + k,
                        new SyntheticTraces(SEED + k, now), events);
            }
            System.out.println(Fmt.line("produced", Fmt.count(2L * runs * events) + " records to " + 2 * runs
                    + " topics"));
            long stored = 0;
            for (int k = 0; k < 2 * runs; k++) {
                boolean ledger = k % 4 == 0 || k % 4 == 3;         // on, off, off, on, on, off, ...
                String topic = "ledger-bench-" + k;
                String producer = "bench-run-" + k;
                Map<String, String> props = new HashMap<>(ServerProcess.againstPlatform(platform));
                props.put("tailaudit.ingest.topic", topic);
                props.put("tailaudit.ingest.dlq-topic", topic + ".dlq");
                props.put("tailaudit.ingest.group-id", "ledger-bench-" + k);
                props.put("tailaudit.ingest.ledger", Boolean.toString(ledger));
                props.put("tailaudit.index.enabled", "false");
                double rate;
                try (ServerProcess server = ServerProcess.start(jar, props, tmp.path(), tmp.resolve("server-" + k + ".log"))) {
                    rate = await(platform.jdbcUrl(), server, stored, events);
                }
                stored += events;
                (ledger ? on : off).add(rate);
                String check = ledger ? "; ledger accounts for " + Fmt.count(accounted(platform.jdbcUrl(), producer))
                        + " of " + Fmt.count(events) : "";
                System.out.println(Fmt.line("run " + (k + 1) + ", ledger " + (ledger ? "on" : "off"),
                        Fmt.rate(rate) + " traces/s" + check));
            }
        }
        double meanOn = on.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double meanOff = off.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        System.out.println(Fmt.line("ledger on, mean", Fmt.rate(meanOn) + " traces/s"));
        System.out.println(Fmt.line("ledger off, mean", Fmt.rate(meanOff) + " traces/s"));
        double medianOn = median(on);
        double medianOff = median(off);
        System.out.println(Fmt.line("cost of the ledger", String.format(Locale.ROOT, "%.1f%% of the means (on / off ="
                        + " %.3f), %.1f%% of the medians (%.3f; a run the machine slowed weighs less); goal: at most 5%%",
                (1 - meanOn / meanOff) * 100, meanOn / meanOff, (1 - medianOn / medianOff) * 100, medianOn / medianOff)));
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(Double::compare);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static void produce(String bootstrap, String topic, String producer, SyntheticTraces traces, int count) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                Trace t = traces.next();
                p.send(new ProducerRecord<>(topic, t.traceId(), EventWriter.write(t, new EventWriter.Stamp(producer, i))));
            }
            p.flush();
        }
    }

    /** Traces/s from the first row past {@code before} to the last of the run. */
    private static double await(String jdbcUrl, ServerProcess server, long before, int events) throws Exception {
        long first = -1;
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                server.requireAlive();
                long rows;
                try (ResultSet rs = st.executeQuery("SELECT coalesce(sum(traces), 0) FROM task_volume_daily")) {
                    rs.next();
                    rows = rs.getLong(1);
                } catch (java.sql.SQLException e) {
                    if (!"42P01".equals(e.getSQLState())) {
                        throw e;
                    }
                    rows = 0;          // the first server has not migrated the schema yet
                }
                long now = System.nanoTime();
                if (rows > before && first < 0) {
                    first = now;
                }
                if (rows >= before + events) {
                    return events / ((now - first) / 1e9);
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the run did not finish within 20 minutes");
    }

    /** How many of the producer's numbers the ledger holds as stored. */
    private static long accounted(String jdbcUrl, String producer) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl); PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(sum(bit_count(stored)), 0) FROM producer_ledger WHERE producer_id = ?")) {
            ps.setString(1, producer);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
