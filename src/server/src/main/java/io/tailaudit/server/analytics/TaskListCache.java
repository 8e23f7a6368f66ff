package io.tailaudit.server.analytics;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.rollup.RollupReader.Window;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The task list of each named rolling window (1h, 24h, 7d, 30d, each ending with the hour in progress),
 * recomputed in the background every {@code tailaudit.analytics.list-refresh} so that a request costs a map
 * lookup whatever the data volume: computing it reads every task's rollups. A refresh is skipped when
 * nothing it depends on changed: no rollup delta appended, no task setting or price edited, the window
 * still in the same hour. The task endpoint itself is always computed on the request.
 */
@ApplicationScoped
public class TaskListCache {

    private static final Logger LOG = Logger.getLogger(TaskListCache.class);

    private record Entry(Window window, String inputs, TaskViews.TaskList list) {
    }

    /** One cheap look at everything a list depends on besides the clock. */
    private static final String INPUTS = """
            SELECT concat_ws('/', (SELECT last_value FROM tail_rollup_pending_id_seq),
                   (SELECT max(updated_at) FROM task_settings), (SELECT max(updated_at) FROM model_price),
                   (SELECT count(*) FROM model_price), (SELECT max(updated_at) FROM local_cost))""";

    /** The named windows and their lengths. */
    public static final Map<String, Duration> WINDOWS = Map.of("1h", Duration.ofHours(1),
            "24h", Duration.ofHours(24), "7d", Duration.ofDays(7), "30d", Duration.ofDays(30));

    private final TaskAnalytics analytics;
    private final DataSource dataSource;
    private final Clock clock;
    private final Map<String, Entry> lists = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    TaskListCache(TaskAnalytics analytics, DataSource dataSource, Clock clock) {
        this.analytics = analytics;
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** The named window now: it ends with the hour in progress, so that hour counts. */
    public Window window(String name) {
        Instant end = clock.instant().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        return new Window(end.minus(WINDOWS.get(name)), end);
    }

    /** The list of a named window, computed at most one refresh interval ago (at once when the hour turned). */
    public TaskViews.TaskList get(String name) throws SQLException {
        Window w = window(name);
        Entry e = lists.get(name);
        if (e == null || !e.window().equals(w)) {
            String inputs = inputs();
            e = new Entry(w, inputs, analytics.list(name, w, null, null));
            lists.put(name, e);
        }
        return e.list();
    }

    private String inputs() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(INPUTS)) {
            rs.next();
            return rs.getString(1);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Scheduled(every = "{tailaudit.analytics.list-refresh}", delayed = "{tailaudit.analytics.list-refresh}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        // only the windows someone asked for, each moved on to the current hour
        for (Map.Entry<String, Entry> e : lists.entrySet()) {
            String name = e.getKey();
            try {
                Window w = window(name);
                String inputs = inputs();
                if (w.equals(e.getValue().window()) && inputs.equals(e.getValue().inputs())) {
                    continue;
                }
                lists.put(name, new Entry(w, inputs, analytics.list(name, w, null, null)));
            } catch (SQLException | RuntimeException ex) {
                if (stopping) {
                    return;  // the pool closed under the refresh
                }
                LOG.warnf("task list %s not refreshed: %s", name, ex.getMessage());
            }
        }
    }
}
