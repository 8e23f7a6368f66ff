package io.tailaudit.server.analytics;

import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.rollup.RollupReader.Window;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The task list of each named window (1h, 24h, 7d, 30d), recomputed in the background every
 * {@code tailaudit.analytics.list-refresh} so that a request costs a map lookup whatever the data volume:
 * computing it reads every task's rollups. A list older than the window's current hour (the window moved
 * on) is recomputed on the request. The task endpoint itself is always computed on the request.
 */
@ApplicationScoped
public class TaskListCache {

    private static final Logger LOG = Logger.getLogger(TaskListCache.class);

    private record Entry(Window window, TaskViews.TaskList list) {
    }

    private final TaskAnalytics analytics;
    private final Map<String, Entry> lists = new ConcurrentHashMap<>();
    private final Map<String, Window> asked = new ConcurrentHashMap<>();

    TaskListCache(TaskAnalytics analytics) {
        this.analytics = analytics;
    }

    /** The list of the named rolling window {@code w}, computed at most one refresh interval ago. */
    public TaskViews.TaskList get(String name, Window w) throws SQLException {
        asked.put(name, w);
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
        // only the windows someone asked for; each keeps moving with the clock
        for (Map.Entry<String, Window> a : asked.entrySet()) {
            try {
                Entry old = lists.get(a.getKey());
                Window w = old == null ? a.getValue() : old.window();
                lists.put(a.getKey(), new Entry(w, analytics.list(a.getKey(), w, null, null)));
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("task list %s not refreshed: %s", a.getKey(), e.getMessage());
            }
        }
    }
}
