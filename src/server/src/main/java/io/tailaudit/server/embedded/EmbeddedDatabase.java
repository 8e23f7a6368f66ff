package io.tailaudit.server.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real PostgreSQL 17 server (zonky's packaged binaries) on a free local port, with its data under one
 * directory that survives restarts. Durability is turned back on: zonky defaults to fsync and
 * synchronous_commit off, which would lose committed traces on a crash.
 */
final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    static final String DATABASE = "tailaudit";
    static final String USER = "postgres";

    private volatile EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
        this.dataDirectory = dataDirectory;
        this.postgres = postgres;
    }

    /**
     * Starts PostgreSQL on {@code dataDirectory}, creating the cluster on first use and keeping it after.
     * A postmaster left running by a killed JVM on the same directory is stopped first.
     */
    public static EmbeddedDatabase start(Path dataDirectory) throws IOException {
        Files.createDirectories(dataDirectory.toAbsolutePath().getParent());
        stopOrphanPostmaster(dataDirectory);
        EmbeddedPostgres pg = postmaster(dataDirectory, 0);
        EmbeddedDatabase db = new EmbeddedDatabase(pg, dataDirectory);
        db.createDatabaseIfMissing();
        LOG.infof("embedded postgresql started port=%d data=%s", pg.getPort(), dataDirectory.toAbsolutePath());
        return db;
    }

    /** The postmaster on {@code dataDirectory}; port 0 picks a free one. */
    private static EmbeddedPostgres postmaster(Path dataDirectory, int port) throws IOException {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder();
        if (port > 0) {
            b.setPort(port);
        }
        return b
                .setDataDirectory(dataDirectory.toAbsolutePath())
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("max_connections", "100")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_wal_size", "2GB")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
    }

    /** Stops the postmaster (a fast shutdown: sessions are ended), as an outage does; {@link #startAgain} ends it. */
    public void stopPostmaster() throws IOException {
        postgres.close();
        LOG.info("embedded postgresql stopped (outage)");
    }

    /** Starts the postmaster again on the same directory and port. */
    public void startAgain() throws IOException {
        int port = postgres.getPort();
        postgres = postmaster(dataDirectory, port);
        LOG.infof("embedded postgresql started again port=%d", port);
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl(USER, DATABASE);
    }

    public String username() {
        return USER;
    }

    public int port() {
        return postgres.getPort();
    }

    private void createDatabaseIfMissing() throws IOException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            st.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IOException("could not create database " + DATABASE + ": " + e.getMessage(), e);
        }
    }

    /** The postmaster outlives a JVM killed with SIGKILL and would hold the data directory's lock. */
    private static void stopOrphanPostmaster(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
        Optional<ProcessHandle> orphan = lines.isEmpty() ? Optional.empty() : parsePid(lines.get(0))
                .flatMap(ProcessHandle::of)
                .filter(p -> p.info().command().map(cmd -> cmd.contains("postgres")).orElse(false));
        if (orphan.isEmpty()) {
            return;
        }
        LOG.warnf("stopping orphan postgresql pid=%d left by an earlier run on %s", orphan.get().pid(), dataDirectory);
        orphan.get().destroy();
        try {
            orphan.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            orphan.get().destroyForcibly();
        }
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
        LOG.info("embedded postgresql stopped");
    }
}
