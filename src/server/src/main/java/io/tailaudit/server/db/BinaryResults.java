package io.tailaudit.server.db;

import org.postgresql.PGStatement;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Makes a statement's results come back in PostgreSQL's binary format from its first execution. The JDBC
 * driver asks for binary results only once a statement is prepared on the server, after a few executions on
 * the same connection; until then a {@code bytea} column arrives as hex text, twice its size, and is decoded
 * character by character. Rollup payloads are megabytes per read.
 */
public final class BinaryResults {

    private BinaryResults() {
    }

    /** Returns {@code ps}, set to use a server-prepared statement and binary results at once. */
    public static PreparedStatement of(PreparedStatement ps) throws SQLException {
        ps.unwrap(PGStatement.class).setPrepareThreshold(-1);
        return ps;
    }
}
