package io.tailaudit.server.index;

import io.tailaudit.server.db.SingleValue;
import io.tailaudit.server.db.StorageException;
import io.tailaudit.server.tail.ScopeDrift;
import jakarta.enterprise.context.ApplicationScoped;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scope tables ({@code scope_reference}, {@code scope_reference_text}, {@code scope_drift}): each task's
 * reference inputs and the last drift measured per named window, which every replica reads.
 */
@ApplicationScoped
public class ScopeDrifts {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Example>> EXAMPLES = new TypeReference<>() { };

    private final DataSource dataSource;

    ScopeDrifts(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A task's reference period: the first week from its first trace, or a window an engineer pinned. */
    public record Reference(String task, Instant from, Instant to, Optional<String> pinnedBy, int texts,
                            Instant builtAt) {
    }

    /** A novel input shown as an example (to text readers only). */
    public record Example(String traceId, String text, double similarity) {
    }

    /** A task's drift over a named window as last measured, with its window and examples. */
    public record Measured(ScopeDrift drift, Instant computedAt, Instant windowFrom, Instant windowTo,
                           List<Example> examples) {
    }

    public Optional<Reference> reference(String task) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT period_from, period_to, pinned_by, texts, built_at FROM scope_reference WHERE task = ?")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Reference(task, rs.getTimestamp(1).toInstant(),
                        rs.getTimestamp(2).toInstant(), Optional.ofNullable(rs.getString(3)), rs.getInt(4),
                        rs.getTimestamp(5).toInstant())) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public List<String> referenceTexts(String task) {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT input_text FROM scope_reference_text WHERE task = ? ORDER BY ord")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Replaces the task's reference with these texts of [from, to); the task's measurements go with it. */
    public void saveReference(String task, Instant from, Instant to, String pinnedBy, List<String> texts,
                              Instant now) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement del = c.prepareStatement("DELETE FROM scope_reference WHERE task = ?");
                 PreparedStatement drifts = c.prepareStatement("DELETE FROM scope_drift WHERE task = ?");
                 PreparedStatement ref = c.prepareStatement("INSERT INTO scope_reference (task, period_from,"
                         + " period_to, pinned_by, texts, built_at) VALUES (?, ?, ?, ?, ?, ?)");
                 PreparedStatement text = c.prepareStatement(
                         "INSERT INTO scope_reference_text (task, ord, input_text) VALUES (?, ?, ?)")) {
                del.setString(1, task);
                del.executeUpdate();
                drifts.setString(1, task);
                drifts.executeUpdate();
                ref.setString(1, task);
                ref.setTimestamp(2, Timestamp.from(from));
                ref.setTimestamp(3, Timestamp.from(to));
                ref.setString(4, pinnedBy);
                ref.setInt(5, texts.size());
                ref.setTimestamp(6, Timestamp.from(now));
                ref.executeUpdate();
                for (int i = 0; i < texts.size(); i++) {
                    text.setString(1, task);
                    text.setInt(2, i);
                    text.setString(3, texts.get(i));
                    text.addBatch();
                }
                text.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Erases the text these tasks left in the scope tables (tasks that store no text from now on): their
     * references with their input texts, and the novel inputs kept as examples. Returns how many tasks had some.
     */
    public int eraseText(Collection<String> tasks, Instant now) {
        if (tasks.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement refs = c.prepareStatement("DELETE FROM scope_reference WHERE task = ANY(?)");
                 PreparedStatement examples = c.prepareStatement("UPDATE scope_drift SET examples = '[]',"
                         + " computed_at = ? WHERE task = ANY(?) AND examples <> '[]'::jsonb")) {
                Array names = c.createArrayOf("text", tasks.toArray());
                refs.setArray(1, names);
                int n = refs.executeUpdate();
                examples.setTimestamp(1, Timestamp.from(now));
                examples.setArray(2, names);
                n = Math.max(n, examples.executeUpdate());
                c.commit();
                return n;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Stores a task's drift over a named window, replacing the last one. */
    public void save(String task, String window, Measured m) {
        ScopeDrift d = m.drift();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO scope_drift (task, window_name, computed_at, window_from, window_to, inputs, sampled,
                                         novel, share, low, high, reference_texts, not_measured, examples)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
                ON CONFLICT (task, window_name) DO UPDATE SET computed_at = excluded.computed_at,
                    window_from = excluded.window_from, window_to = excluded.window_to, inputs = excluded.inputs,
                    sampled = excluded.sampled, novel = excluded.novel, share = excluded.share, low = excluded.low,
                    high = excluded.high, reference_texts = excluded.reference_texts,
                    not_measured = excluded.not_measured, examples = excluded.examples""")) {
            ps.setString(1, task);
            ps.setString(2, window);
            ps.setTimestamp(3, Timestamp.from(m.computedAt()));
            ps.setTimestamp(4, Timestamp.from(m.windowFrom()));
            ps.setTimestamp(5, Timestamp.from(m.windowTo()));
            ps.setLong(6, d.inputs());
            ps.setInt(7, d.sampled());
            ps.setInt(8, d.novel());
            if (d.measured()) {
                ps.setDouble(9, d.share());
                ps.setDouble(10, d.interval().low());
                ps.setDouble(11, d.interval().high());
            } else {
                ps.setNull(9, java.sql.Types.DOUBLE);
                ps.setNull(10, java.sql.Types.DOUBLE);
                ps.setNull(11, java.sql.Types.DOUBLE);
            }
            ps.setInt(12, d.referenceTexts());
            ps.setString(13, d.notMeasured().orElse(null));
            ps.setString(14, JSON.writeValueAsString(m.examples()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException(e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("examples are plain records", e);
        }
    }

    /** Every task's drift over a named window as last measured. */
    public Map<String, Measured> window(String window) {
        Map<String, Measured> out = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT task, computed_at, window_from, window_to, inputs, sampled, novel, reference_texts,
                       not_measured, examples::text
                  FROM scope_drift WHERE window_name = ?""")) {
            ps.setString(1, window);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ScopeDrift d = new ScopeDrift(rs.getLong(5), rs.getInt(6), rs.getInt(7), rs.getInt(8),
                            Optional.ofNullable(rs.getString(9)));
                    out.put(rs.getString(1), new Measured(d, rs.getTimestamp(2).toInstant(),
                            rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant(),
                            JSON.readValue(rs.getString(10), EXAMPLES)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        } catch (JsonProcessingException e) {
            throw new StorageException(new SQLException("stored drift examples are unreadable", "XX001", e));
        }
    }

    /** Changes whenever a drift is stored: for caches of what reads them. */
    public static String version(Connection c) throws SQLException {
        return SingleValue.text(c, "SELECT coalesce(max(computed_at)::text, '') FROM scope_drift");
    }
}
