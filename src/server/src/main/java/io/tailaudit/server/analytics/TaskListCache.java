package io.tailaudit.server.analytics;

import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.rollup.RollupReader.Window;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The task list of each named rolling window (1h, 24h, 7d, 30d, each ending with the hour in progress),
 * recomputed in the background every {@code tailaudit.analytics.list-refresh} so that a request costs a map
 * lookup whatever the data volume: computing it reads every task's rollups. The task endpoint itself is
 * always computed on the request.
 */
@ApplicationScoped
public class TaskListCache {

    private static final Logger LOG = Logger.getLogger(TaskListCache.class);

    private record Entry(Window window, TaskViews.TaskList list) {
    }

    /** The named windows and their lengths. */
    public static final Map<String, Duration> WINDOWS = Map.of("1h", Duration.ofHours(1),
            "24h", Duration.ofHours(24), "7d", Duration.ofDays(7), "30d", Duration.ofDays(30));

    private final TaskAnalytics analytics;
    private final Clock clock;
    private final Map<String, Entry> lists = new ConcurrentHashMap<>();

    TaskListCache(TaskAnalytics analytics, Clock clock) {
        this.analytics = analytics;
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
            e = new Entry(w, analytics.list(name, w, null, null));
            lists.put(name, e);
        }
        return e.list();
    }

    @Scheduled(every = "{tailaudit.analytics.list-refresh}", delayed = "{tailaudit.analytics.list-refresh}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        // only the windows someone asked for, each moved on to the current hour
        for (String name : lists.keySet()) {
            try {
                Window w = window(name);
                lists.put(name, new Entry(w, analytics.list(name, w, null, null)));
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("task list %s not refreshed: %s", name, e.getMessage());
            }
        }
    }
}
