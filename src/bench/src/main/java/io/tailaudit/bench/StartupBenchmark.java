package io.tailaudit.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Time from launching the packaged server in its default, embedded mode to the first HTTP 200 from the
 * console: once on a cold data directory (initdb, Kafka format, all migrations), once warm (same directory
 * again), and with the argument {@code demo} a third time warm with the demo generator on. Each run ends
 * with SIGTERM; a PostgreSQL left behind on the data directory is reported and stopped.
 */
public final class StartupBenchmark {

    private static final Duration LIMIT = Duration.ofMinutes(3);
    private static final long POLL_MILLIS = 50;
    /** What the server's demo generator logs when it starts; shows the demo setting took effect. */
    private static final String DEMO_STARTED = "demo backfill started";

    private record Run(String name, boolean demo) {
    }

    private record Outcome(long toFirst200Nanos, Optional<String> quarkusReported, boolean demoLogged, int exitCode,
                           boolean orphan) {
    }

    private StartupBenchmark() {
    }

    public static void main(String[] args) {
        Fmt.useJBossLogManager();
        try {
            run(args.length > 0 && args[0].equals("demo"));
            System.exit(0);
        } catch (Exception e) {
            System.err.println("startup benchmark failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(boolean withDemo) throws Exception {
        Path jar = ServerProcess.runJar(ServerProcess.repoRoot());
        List<Run> runs = new ArrayList<>(List.of(new Run("cold (initdb + kafka format)", false),
                new Run("warm (same data dir)", false)));
        if (withDemo) {
            runs.add(new Run("warm, demo on", true));
        }
        try (TempDir tmp = TempDir.create("tailaudit-startup-bench")) {
            Path data = tmp.resolve("data");
            System.out.println("TailAudit start-up benchmark (java -jar quarkus-run.jar, embedded mode -> first HTTP 200 on /login)");
            System.out.println(Fmt.line("server", jar + " (no profile: embedded PostgreSQL + Kafka)"));
            System.out.println(Fmt.line("data dir", data.toString()));
            Fmt.printPlatform();
            List<Outcome> outcomes = new ArrayList<>();
            for (Run r : runs) {
                outcomes.add(once(jar, tmp.path(), data, r));
            }
            System.out.println("results (launch -> first HTTP 200 from GET /login, polled every " + POLL_MILLIS + " ms)");
            for (int i = 0; i < runs.size(); i++) {
                Outcome o = outcomes.get(i);
                System.out.println(Fmt.line(runs.get(i).name(), Fmt.seconds(o.toFirst200Nanos()) + " (Quarkus reported "
                        + o.quarkusReported().orElse("nothing") + "; demo " + (o.demoLogged() ? "ran" : "off")
                        + "; exit code " + o.exitCode() + " after SIGTERM"
                        + (o.orphan() ? "; ORPHAN postgres had to be stopped" : "; postgres stopped with it") + ")"));
            }
        }
    }

    private static Outcome once(Path jar, Path workDir, Path data, Run run) throws Exception {
        int port = freePort();
        Map<String, String> props = Map.of(
                "tailaudit.embedded.data-dir", data.toString(),
                "quarkus.http.port", Integer.toString(port),
                "tailaudit.demo.enabled", Boolean.toString(run.demo()),
                // the embedded profile turns the demo on in application.properties; say it for that profile too
                "%embedded.tailaudit.demo.enabled", Boolean.toString(run.demo()));
        Path log = workDir.resolve("server-" + System.nanoTime() + ".log");
        long toFirst200;
        Optional<String> reported;
        boolean demo;
        int exit;
        try (ServerProcess server = ServerProcess.start(jar, props, workDir, log)) {
            toFirst200 = awaitHttp200(server, port);
            reported = server.reportedStartup();
            server.close();
            exit = server.exitCode();
            demo = server.logContains(DEMO_STARTED);
        }
        boolean orphan = stopOrphanPostgres(data.resolve("postgres"));
        return new Outcome(toFirst200, reported, demo, exit, orphan);
    }

    private static long awaitHttp200(ServerProcess server, int port) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/login"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = server.startNanos() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return System.nanoTime() - server.startNanos();
                }
            } catch (IOException e) {
                // not listening yet
            }
            server.requireAlive();
            Thread.sleep(POLL_MILLIS);
        }
        throw new IllegalStateException("no HTTP 200 on port " + port + " within " + LIMIT.toSeconds()
                + " s; last server log lines:\n" + String.join("\n", server.logTail(40)));
    }

    /**
     * A postmaster still running on the data directory after the server exited would hold its lock and
     * leak; the server should have stopped it. Returns whether one had to be stopped here.
     */
    private static boolean stopOrphanPostgres(Path pgData) throws IOException, InterruptedException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return false;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
        Optional<ProcessHandle> pg = lines.isEmpty() ? Optional.empty()
                : ProcessHandle.of(Long.parseLong(lines.getFirst().trim()))
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (pg.isEmpty()) {
            return false;
        }
        System.err.println("orphan postgres pid=" + pg.get().pid() + " on " + pgData + " after the server exited; stopping it");
        pg.get().destroy();
        try {
            pg.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            pg.get().destroyForcibly();
        }
        return true;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
