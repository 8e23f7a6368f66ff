package io.tailaudit.server.demo;

import io.tailaudit.server.index.IndexConfig;
import io.tailaudit.server.index.ScopeDriftJob;
import io.tailaudit.server.index.ScopeDrifts;
import io.tailaudit.server.trace.TraceQueries;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;

/**
 * After the backfill, pins each drifting demo task's scope reference to its first days, as an engineer does
 * on the task page when a task's first week is not what it should be compared with, and measures its drift
 * at once: the console then shows a measured drift share and the verdict it causes. A task already pinned
 * (an earlier start) is left as it is.
 */
@ApplicationScoped
class DemoScope {

    private static final Logger LOG = Logger.getLogger(DemoScope.class);
    private static final Duration WAIT = Duration.ofMinutes(5);

    private final IndexConfig index;
    private final ScopeDriftJob job;
    private final ScopeDrifts drifts;
    private final TraceQueries traces;

    DemoScope(IndexConfig index, ScopeDriftJob job, ScopeDrifts drifts, TraceQueries traces) {
        this.index = index;
        this.job = job;
        this.drifts = drifts;
        this.traces = traces;
    }

    /** On a thread of its own: waits until ingest has stored each reference window, then pins it. */
    void pinInBackground() {
        if (!index.enabled()) {
            return;
        }
        Thread t = new Thread(this::pinAll, "tailaudit-demo-scope");
        t.setDaemon(true);
        t.start();
    }

    private void pinAll() {
        try {
            DemoCatalog.TASKS.stream().filter(t -> t.drift() != null).map(DemoTask::task).distinct()
                    .forEach(this::pin);
        } catch (RuntimeException e) {
            LOG.warnf("demo: scope reference not pinned: %s", e.getMessage());
        }
    }

    private void pin(String task) {
        if (drifts.reference(task).flatMap(ScopeDrifts.Reference::pinnedBy).isPresent()) {
            return;
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        long stored = -1;
        while (System.nanoTime() < deadline) {
            Instant first = traces.firstTraces().get(task);
            if (first != null) {
                Instant to = first.plus(DemoCatalog.PINNED_REFERENCE);
                long now = traces.inputSample(task, first, to, 1).total();
                // ingest reads the backfill in order: the window is in once its count stops growing
                if (now > 0 && now == stored && traces.anyAtOrAfter(task, to)) {
                    ScopeDrifts.Reference r = job.pin(task, first, to, "demo");
                    job.refresh(task);
                    LOG.infof("demo: pinned the scope reference of %s to its first %d days (%d input texts, %s to %s)"
                            + " and measured its drift", task, DemoCatalog.PINNED_REFERENCE.toDays(), r.texts(), first, to);
                    return;
                }
                stored = now;
            }
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warnf("demo: %s's first days were not stored within %s; its scope reference is not pinned", task, WAIT);
    }
}
