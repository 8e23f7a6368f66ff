package io.tailaudit.server.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** PostgreSQL advisory locks that make one replica at a time do a job (compaction, alert evaluation). */
public final class AdvisoryLock {

    private AdvisoryLock() {
    }

    /**
     * Takes the transaction-scoped advisory lock {@code key} if no other session holds it; it is released
     * when the caller's transaction ends. False when another replica holds it.
     */
    public static boolean tryForTransaction(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
