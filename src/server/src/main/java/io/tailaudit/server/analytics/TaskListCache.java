package io.tailaudit.server.analytics;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.db.StorageException;
import io.tailaudit.server.rollup.RollupReader.Window;
import io.tailaudit.server.tail.Windows;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The task list of each named rolling window (1h, 24h, 7d, 30d, each ending with the hour in progress),
 * recomputed in the background every {@code tailaudit.analytics.list-refresh} so that a request costs a map
 * lookup whatever the data volume: computing it reads every task's rollups. A refresh is skipped when
 * nothing it depends on changed (no rollup delta appended, no task setting or price edited, the window
 * still in the same hour), and while less than 30 times the last computation's duration (at most a
 * minute) has passed.
 * The task endpoint itself is always computed on the request.
 */
@ApplicationScoped
public class TaskListCache {

    private static final Logger LOG = Logger.getLogger(TaskListCache.class);

    /** A computed list, with when its computation started and how long it took. */
    private record Entry(Window window, String inputs, TaskViews.TaskList list, Instant at, Duration took) {
    }

    /**
     * A refresh waits at least this many times as long as the last computation of the list took, so that
     * refreshing spends at most about a thirtieth of a core per window even when computing gets slow: during
     * a backfill a list over days also reads the many rollups waiting to be folded, seconds of work, and
     * refreshing it every {@code list-refresh} took a third of the ingest rate of a two-core machine.
     */
    private static final int REFRESH_COST_FACTOR = 30;
    /**
     * The longest a refresh waits for {@link #REFRESH_COST_FACTOR}: a computation slowed by start-up (a cold
     * JIT, a backlog being consumed) would otherwise hold a list stale for minutes.
     */
    private static final Duration MAX_REFRESH_WAIT = Duration.ofMinutes(1);

    /** The named windows and their lengths. */
    public static final Map<String, Duration> WINDOWS = Windows.LENGTHS;

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
        Instant end = Windows.end(clock.instant());
        return new Window(end.minus(WINDOWS.get(name)), end);
    }

    /** The list of a named window, computed at most one refresh interval ago (at once when the hour turned). */
    public TaskViews.TaskList get(String name) {
        Window w = window(name);
        Entry e = lists.get(name);
        if (e == null || !e.window().equals(w)) {
            e = compute(name, w, inputs());
            lists.put(name, e);
        }
        return e.list();
    }

    /**
     * The list of a named window as last computed, without waiting: after the hour turned it may still be
     * the previous hour's window until the background refresh moves it on (within {@code list-refresh}).
     * Computed now only when nobody asked for the window before. For alert rules, which read every cycle and
     * whose longer windows move little in seconds.
     */
    public TaskViews.TaskList latest(String name) {
        Entry e = lists.get(name);
        return e != null ? e.list() : get(name);
    }

    private Entry compute(String name, Window w, String inputs) {
        Instant at = clock.instant();
        long start = System.nanoTime();
        TaskViews.TaskList list = analytics.list(name, w, null, null);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        LOG.debugf("task list %s computed in %d ms", name, took.toMillis());
        return new Entry(w, inputs, list, at, took);
    }

    private String inputs() {
        // one cheap look at everything a list depends on besides the clock, each from its table's owner
        try (Connection c = dataSource.getConnection()) {
            return io.tailaudit.server.rollup.RollupReader.appendedVersion(c) + '/'
                    + io.tailaudit.server.settings.TaskSettingsService.version(c) + '/'
                    + io.tailaudit.server.cost.CostSettings.version(c) + '/'
                    + io.tailaudit.server.index.ScopeDrifts.version(c);
        } catch (SQLException e) {
            throw new StorageException(e);
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
                Entry last = e.getValue();
                Duration wait = last.took().multipliedBy(REFRESH_COST_FACTOR);
                if (w.equals(last.window()) && clock.instant().isBefore(
                        last.at().plus(wait.compareTo(MAX_REFRESH_WAIT) < 0 ? wait : MAX_REFRESH_WAIT))) {
                    continue;
                }
                String inputs = inputs();
                if (w.equals(last.window()) && inputs.equals(last.inputs())) {
                    continue;
                }
                lists.put(name, compute(name, w, inputs));
            } catch (RuntimeException ex) {
                if (stopping) {
                    return;  // the pool closed under the refresh
                }
                LOG.warnf("task list %s not refreshed: %s", name, ex.getMessage());
            }
        }
    }
}
