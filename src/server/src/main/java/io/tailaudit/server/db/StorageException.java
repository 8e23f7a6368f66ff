package io.tailaudit.server.db;

import java.sql.SQLException;

/**
 * The one failure features throw when storage does not answer as asked: the database is down, too slow, or
 * refused a statement. Unchecked, so a feature's signature says what it does, not that it uses JDBC;
 * {@link DatabaseFailure} reads its cause to tell an outage (503, try again) from a bug (500).
 * A method that runs inside its caller's transaction (it takes the {@link java.sql.Connection}) still throws
 * {@link SQLException}: the caller owns the transaction, rolls it back and translates.
 */
public class StorageException extends RuntimeException {

    public StorageException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    public StorageException(String message, SQLException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }

    /** The statement broke a unique constraint (SQLSTATE 23505): a name already taken, the caller's mistake. */
    public boolean uniqueViolation() {
        return "23505".equals(((SQLException) getCause()).getSQLState());
    }
}
