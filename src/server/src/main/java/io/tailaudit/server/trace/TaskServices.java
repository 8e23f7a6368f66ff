package io.tailaudit.server.trace;

import io.tailaudit.server.db.StorageException;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Which services send each task's traces, from the daily counts kept beside the trace table (never the table itself). */
@ApplicationScoped
public class TaskServices {

    private static final String SINCE = """
            SELECT DISTINCT task, service FROM task_volume_daily WHERE day >= ? AND service <> ''""";

    private final DataSource dataSource;

    TaskServices(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** task -> its services, over the UTC days from the one holding {@code from}. */
    public Map<String, Set<String>> since(Instant from) {
        try {
            Map<String, Set<String>> out = new HashMap<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SINCE)) {
                ps.setDate(1, Date.valueOf(LocalDate.ofInstant(from, ZoneOffset.UTC)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), t -> new TreeSet<>()).add(rs.getString(2));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
