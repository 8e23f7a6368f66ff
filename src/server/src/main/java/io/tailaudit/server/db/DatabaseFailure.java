package io.tailaudit.server.db;

import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Tells a database that cannot answer now (down, unreachable, restarting, out of connections, too slow)
 * from a failure that is a bug, so callers can answer "try again" rather than "broken". The rules, on the
 * first {@link SQLException} along the cause chain that matches one:
 * <ul>
 *   <li>SQLSTATE class 08 (connection exception: refused, broken, socket timeout): {@link Kind#UNAVAILABLE};</li>
 *   <li>57P01-57P03 (administrator or crash shutdown, cannot connect now), class 53 (insufficient resources,
 *       e.g. too many connections): {@link Kind#UNAVAILABLE};</li>
 *   <li>any failure raised while the driver was opening a connection (e.g. 55000, the database does not
 *       accept connections; 28P01, the password was refused): {@link Kind#UNAVAILABLE};</li>
 *   <li>the pool's acquisition timeout (no SQLSTATE, caused by a {@link TimeoutException}): {@link Kind#UNAVAILABLE};</li>
 *   <li>57014 (query canceled: a statement or query timeout): {@link Kind#TOO_SLOW}.</li>
 * </ul>
 */
public final class DatabaseFailure {

    private DatabaseFailure() {
    }

    public enum Kind { UNAVAILABLE, TOO_SLOW }

    /** What kind of database failure this is; empty when it is none of these (a bug, or bad SQL). */
    public static Optional<Kind> of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e) {
                Optional<Kind> kind = kind(e);
                if (kind.isPresent()) {
                    return kind;
                }
            }
        }
        return Optional.empty();
    }

    /** The SQLSTATE of the first SQLException along the cause chain, for the log; "none" without one. */
    public static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e && e.getSQLState() != null) {
                return e.getSQLState();
            }
        }
        return "none";
    }

    private static Optional<Kind> kind(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("57014")) {
            return Optional.of(Kind.TOO_SLOW);
        }
        if (state.startsWith("08") || state.startsWith("53") || state.matches("57P0[123]") || whileConnecting(e)
                || (state.isEmpty() && e.getCause() instanceof TimeoutException)) {
            return Optional.of(Kind.UNAVAILABLE);
        }
        return Optional.empty();
    }

    /** The driver raised it while opening a connection: the server refused the session, whatever its code. */
    private static boolean whileConnecting(SQLException e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().startsWith("org.postgresql.core.v3.ConnectionFactoryImpl")
                    || frame.getClassName().equals("org.postgresql.core.ConnectionFactory")) {
                return true;
            }
        }
        return false;
    }
}
