package io.tailaudit.server.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A query of one row and one column. */
public final class SingleValue {

    private SingleValue() {
    }

    /** The text of {@code sql}'s single value on {@code c} (null for SQL NULL). */
    public static String text(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
