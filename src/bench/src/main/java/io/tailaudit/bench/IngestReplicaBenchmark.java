package io.tailaudit.bench;

import io.tailaudit.server.ReplicaRoles;
import io.tailaudit.server.embedded.EmbeddedPlatform;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Ingest throughput of one replica against two on one machine. Each run gets a fresh embedded platform, a
 * 6-partition trace topic filled with the same N traces, then starts 1 or 2 packaged servers with
 * {@code tailaudit.roles=ingest} and their own {@code tailaudit.ingest.instance-id} (one consumer group),
 * and times them until every trace is a row. Runs alternate 1, 2, 1, 2, ... so both settings see the
 * machine's drift alike. Usage: {@code IngestReplicaBenchmark [events, default 1000000] [runs per setting, 2]}.
 */
public final class IngestReplicaBenchmark {

    private static final int PARTITIONS = 6;
    private static final long SEED = 20240611L;

    private IngestReplicaBenchmark() {
    }

    public static void main(String[] args) {
        Fmt.useJBossLogManager();
        try {
            int events = args.length > 0 ? Integer.parseInt(args[0].replace("_", "").replace(",", "")) : 1_000_000;
            int runs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
            run(events, runs);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("ingest replica benchmark failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(int events, int runs) throws Exception {
        Path jar = ServerProcess.runJar(ServerProcess.repoRoot());
        System.out.println("TailAudit ingest replica benchmark (one vs two ingest replicas, one machine)");
        System.out.println(Fmt.line("events", Fmt.count(events) + " valid traces per run, the last 3 days in time order"));
        System.out.println(Fmt.line("topic", TraceLoader.TOPIC + " " + PARTITIONS + " partitions, key = trace_id"));
        Fmt.printPlatform();
        System.out.println(Fmt.line("server", jar + " (profile prod, tailaudit.roles=ingest, one JVM per replica)"));
        Map<Integer, List<Double>> rates = new HashMap<>();
        for (int i = 0; i < runs * 2; i++) {
            int replicas = i % 2 == 0 ? 1 : 2;
            double rate = once(jar, events, replicas);
            rates.computeIfAbsent(replicas, k -> new ArrayList<>()).add(rate);
        }
        System.out.println("results (steady state, first rows -> last row)");
        for (int replicas : List.of(1, 2)) {
            List<Double> r = rates.get(replicas);
            System.out.println(Fmt.line(replicas + (replicas == 1 ? " replica" : " replicas"),
                    r.stream().map(Fmt::rate).collect(Collectors.joining(", ")) + " events/s, mean "
                            + Fmt.rate(mean(r))));
        }
        System.out.println(Fmt.line("two / one", String.format(java.util.Locale.ROOT, "%.2f",
                mean(rates.get(2)) / mean(rates.get(1)))));
    }

    private static double once(Path jar, int events, int replicas) throws Exception {
        try (TempDir tmp = TempDir.create("tailaudit-replica-bench");
             EmbeddedPlatform platform = EmbeddedPlatform.start(tmp.resolve("platform"))) {
            TraceLoader.createTopics(platform.bootstrapServers(), PARTITIONS);
            TraceLoader.produce(platform.bootstrapServers(), new SyntheticTraces(SEED, Instant.now(), events,
                    java.time.Duration.ofDays(3), 1), events);
            List<ServerProcess> servers = new ArrayList<>();
            try {
                for (int r = 1; r <= replicas; r++) {
                    Map<String, String> props = new HashMap<>(ServerProcess.againstPlatform(platform));
                    props.put(ReplicaRoles.PROPERTY, "ingest");
                    props.put("tailaudit.ingest.instance-id", "bench-replica-" + r);
                    props.put("tailaudit.ingest.topic-partitions", Integer.toString(PARTITIONS));
                    Path dir = tmp.resolve("replica-" + r);
                    java.nio.file.Files.createDirectories(dir);
                    props.put("tailaudit.ingest.state-dir", dir.toString());
                    servers.add(ServerProcess.start(jar, props, dir, dir.resolve("server.log")));
                }
                IngestProgress.Timeline t = IngestProgress.await(platform.jdbcUrl(), servers,
                        tmp.resolve("platform"), events);
                long steadyRows = events - t.rowsAtFirstPoll();
                double rate = steadyRows / ((t.doneNanos() - t.firstRowNanos()) / 1e9);
                long dead = IngestProgress.deadLetters(platform.jdbcUrl());
                System.out.println(Fmt.line(replicas + (replicas == 1 ? " replica" : " replicas"), Fmt.rate(rate)
                        + " events/s (" + Fmt.count(steadyRows) + " in " + Fmt.seconds(t.doneNanos() - t.firstRowNanos())
                        + "); " + t.steadyCpu().perEvent(steadyRows) + "; count(*) = " + Fmt.count(t.countStar())
                        + ", dead letters = " + dead));
                if (t.countStar() != events || dead != 0) {
                    throw new IllegalStateException("expected " + events + " rows and no dead letters");
                }
                return rate;
            } finally {
                servers.forEach(ServerProcess::close);
            }
        }
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
