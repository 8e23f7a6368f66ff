package io.tailaudit.server.console;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Reads the per-task daily counts that ingest maintains; never the trace table. */
@ApplicationScoped
public class TaskVolumes {

    private static final String BETWEEN = """
            SELECT task, sum(traces), max(day) FROM task_volume_daily
            WHERE day BETWEEN ? AND ? GROUP BY task ORDER BY sum(traces) DESC, task""";

    private final DataSource dataSource;

    TaskVolumes(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<TaskVolume> between(LocalDate from, LocalDate to) throws SQLException {
        List<TaskVolume> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(BETWEEN)) {
            ps.setDate(1, Date.valueOf(from));
            ps.setDate(2, Date.valueOf(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TaskVolume(rs.getString(1), rs.getLong(2), rs.getDate(3).toLocalDate()));
                }
            }
        }
        return out;
    }
}
