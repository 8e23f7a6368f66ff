package io.tailaudit.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time consumed so far by the server JVMs and by the embedded PostgreSQL (the postmaster and its
 * backends, children of this JVM), from the operating system's accounting. On a shared machine a rate moves
 * with the neighbours' load; CPU seconds per event move much less, so they tell a cheaper ingest from a
 * quieter machine. PostgreSQL is the postmaster whose command line names the platform's directory (pg_ctl
 * detaches it from this JVM) and its children; a backend that has exited is no longer counted, but ingest's
 * connections live throughout.
 */
record CpuUse(long serverNanos, long postgresNanos) {

    static CpuUse now(List<ServerProcess> servers, Path platformDir) {
        long server = servers.stream().mapToLong(ServerProcess::cpuNanos).sum();
        String dir = platformDir.toAbsolutePath().toString();
        long postgres = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false)
                        && p.info().arguments().map(a -> String.join(" ", a).contains(dir)).orElse(false))
                .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
                .mapToLong(CpuUse::cpu).sum();
        return new CpuUse(server, postgres);
    }

    private static long cpu(ProcessHandle p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    CpuUse minus(CpuUse earlier) {
        return new CpuUse(serverNanos - earlier.serverNanos, postgresNanos - earlier.postgresNanos);
    }

    /** "server 41 µs, PostgreSQL 35 µs of CPU per event" */
    String perEvent(long events) {
        return String.format(java.util.Locale.ROOT, "server %.1f us, PostgreSQL %.1f us of CPU per event",
                serverNanos / 1e3 / events, postgresNanos / 1e3 / events);
    }
}
