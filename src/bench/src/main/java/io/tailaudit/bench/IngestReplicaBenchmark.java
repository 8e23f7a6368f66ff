package io.tailaudit.bench;

import io.tailaudit.server.ReplicaRoles;
import io.tailaudit.server.embedded.EmbeddedPlatform;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ingest throughput of N ingest replicas on one machine: a fresh embedded platform, a 6-partition trace
 * topic filled with N traces, then R packaged servers with {@code tailaudit.roles=ingest} and their own
 * {@code tailaudit.ingest.instance-id} (one consumer group), timed until every trace is a row. One setting
 * per process (a second embedded broker in the same JVM stalled the loader's idempotent producer), so
 * compare settings by alternating runs from the shell:
 * {@code for i in 1 2; do run.sh IngestReplicaBenchmark 500000 1; run.sh IngestReplicaBenchmark 500000 2; done}.
 * Usage: {@code IngestReplicaBenchmark [events, default 1000000] [replicas, default 2]}.
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
            int replicas = args.length > 1 ? Integer.parseInt(args[1]) : 2;
            if (replicas < 1 || replicas > PARTITIONS) {
                throw new IllegalArgumentException("replicas must be 1.." + PARTITIONS + ", got " + replicas);
            }
            run(events, replicas);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("ingest replica benchmark failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(int events, int replicas) throws Exception {
        Path jar = ServerProcess.runJar(ServerProcess.repoRoot());
        System.out.println("TailAudit ingest replica benchmark (ingest replicas of one group on one machine)");
        System.out.println(Fmt.line("events", Fmt.count(events) + " valid traces, the last 3 days in time order"));
        System.out.println(Fmt.line("topic", TraceLoader.TOPIC + " " + PARTITIONS + " partitions, key = trace_id"));
        Fmt.printPlatform();
        System.out.println(Fmt.line("server", jar + " (profile prod, tailaudit.roles=ingest, " + replicas
                + " JVM(s), one per replica)"));
        double rate = once(jar, events, replicas);
        System.out.println(Fmt.line("result", replicas + " replica(s): " + Fmt.rate(rate)
                + " events/s steady state (first rows -> last row)"));
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
}
