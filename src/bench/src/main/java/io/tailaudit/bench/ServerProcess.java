package io.tailaudit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server ({@code src/server/target/quarkus-app/quarkus-run.jar}) in its own JVM, started with
 * the java running the benchmark, its output in a log file. {@link #close()} sends SIGTERM, the way an
 * operator stops it, and only kills it if it has not exited after a minute.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");
    private static final Pattern LISTENING = Pattern.compile("Listening on: https?://[^ ]*:([0-9]+)");

    private final Process process;
    private final Path log;
    private final long startNanos;

    private ServerProcess(Process process, Path log, long startNanos) {
        this.process = process;
        this.log = log;
        this.startNanos = startNanos;
    }

    /** The repository root: the nearest directory above the working directory that holds migrations/. */
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("migrations")) && Files.isDirectory(p.resolve("src/server"))) {
                return p;
            }
        }
        throw new IllegalStateException("no migrations/ directory above " + Path.of("").toAbsolutePath()
                + ": run the benchmark from inside the TailAudit repository");
    }

    /**
     * The server's jar: {@code TAILAUDIT_BENCH_SERVER_JAR} when set (a copy of another build's quarkus-app,
     * to compare two builds in turns on one machine), else this checkout's build.
     */
    static Path runJar(Path repoRoot) {
        String override = System.getenv("TAILAUDIT_BENCH_SERVER_JAR");
        Path jar = override == null || override.isBlank()
                ? repoRoot.resolve("src/server/target/quarkus-app/quarkus-run.jar") : Path.of(override);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the server is not built: " + jar + " is missing; build it with"
                    + " mvn -B -ntp package -DskipTests from the repository root");
        }
        return jar;
    }

    /** The java of this JVM and the flags its version supports; the server runs on the same JDK. */
    static List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED"); // lz4-java and Netty load native code
        }
        cmd.add("--add-opens");
        cmd.add("java.base/java.lang=ALL-UNNAMED");
        return cmd;
    }

    /**
     * The server's settings to run as a separate process against the benchmark's own platform: the prod
     * profile, no embedded platform, no demo traffic, any free HTTP port.
     */
    static Map<String, String> againstPlatform(io.tailaudit.server.embedded.EmbeddedPlatform platform) {
        return Map.of(
                "quarkus.profile", "prod",
                "tailaudit.embedded.enabled", "false",
                "quarkus.datasource.jdbc.url", platform.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "",
                "kafka.bootstrap.servers", platform.bootstrapServers(),
                "tailaudit.demo.enabled", "false",
                "quarkus.http.port", "0");
    }

    /** Starts {@code java -D<k>=<v>... -jar <jar>} in {@code workDir}; the clock starts just before. */
    static ServerProcess start(Path jar, Map<String, String> properties, Path workDir, Path log) throws IOException {
        return start(jar, List.of(), properties, workDir, log);
    }

    /** {@link #start(Path, Map, Path, Path)} with JVM options first, e.g. a fixed heap. */
    static ServerProcess start(Path jar, List<String> jvmOptions, Map<String, String> properties, Path workDir,
                               Path log) throws IOException {
        List<String> cmd = javaCommand();
        cmd.addAll(jvmOptions);
        cmd.addAll(extraJvmOptions());
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        long start = System.nanoTime();
        return new ServerProcess(pb.start(), log, start);
    }

    /**
     * JVM options for every server a benchmark starts, from {@code TAILAUDIT_BENCH_SERVER_JVM_OPTS} (split on
     * spaces), e.g. {@code -XX:StartFlightRecording=filename=/tmp/ingest.jfr,settings=profile} to profile it.
     */
    private static List<String> extraJvmOptions() {
        String opts = System.getenv("TAILAUDIT_BENCH_SERVER_JVM_OPTS");
        return opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
    }

    long startNanos() {
        return startNanos;
    }

    /** CPU time the server process has used so far (user + system), 0 once it has exited. */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    long pid() {
        return process.pid();
    }

    /** Throws, with the end of the server's log, when the process has exited. */
    void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the server exited with code " + process.exitValue() + "; last log lines:\n"
                    + String.join("\n", logTail(40)));
        }
    }

    List<String> logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(log unreadable: " + e.getMessage() + ")");
        }
    }

    /** The start-up time Quarkus itself logged ("started in 3.456s"), if it has. */
    Optional<String> reportedStartup() {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.map(STARTED::matcher).filter(Matcher::find).map(m -> m.group(1) + " s").findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** The HTTP port Quarkus logged it listens on (the benchmark may have asked for port 0). */
    Optional<Integer> httpPort() {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.map(LISTENING::matcher).filter(Matcher::find).map(m -> Integer.parseInt(m.group(1))).findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    boolean logContains(String text) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.anyMatch(l -> l.contains(text));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** The time of day of the first log line containing {@code text} (the console format starts HH:mm:ss.SSS). */
    Optional<java.time.LocalTime> loggedAt(String text) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(text) && l.length() > 12).findFirst().flatMap(l -> {
                try {
                    return Optional.of(java.time.LocalTime.parse(l.substring(0, 12)));
                } catch (java.time.format.DateTimeParseException e) {
                    return Optional.empty();
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** Lines of the log at WARN or ERROR, for a one-line health summary. */
    long countLines(String level) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(" " + level + " ")).count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /** The first {@code max} lines of the log at {@code level}, each cut to 300 characters (to print them). */
    List<String> lines(String level, int max) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(" " + level + " ")).limit(max)
                    .map(l -> l.length() > 300 ? l.substring(0, 300) + "..." : l).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    /**
     * SIGKILL, as an OOM kill or a lost node ends it (on Linux {@code destroyForcibly} is {@code kill -9});
     * waits for the exit and returns its code, 137 = 128 + SIGKILL.
     */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("server pid=" + process.pid() + " still runs 30 s after SIGKILL");
        }
        return process.exitValue();
    }

    /** SIGTERM, then wait; returns the exit code. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                System.err.println("server pid=" + process.pid() + " ignored SIGTERM for 60 s; killing it");
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The exit code after {@link #close()}; -1 while running. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }
}
