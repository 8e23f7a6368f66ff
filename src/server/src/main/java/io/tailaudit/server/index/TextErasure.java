package io.tailaudit.server.index;

import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.settings.TaskSettingsService;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * On index replicas: a task whose setting {@code store_text} turns off loses, within seconds, every document
 * it has in the search index and the text it left in the scope tables (its reference inputs and novel
 * examples). Ingest already stores no text for it, and the setting's change erased the stored traces' text
 * in its own transaction; this removes the copies the index role holds.
 */
@ApplicationScoped
class TextErasure {

    private static final Logger LOG = Logger.getLogger(TextErasure.class);

    private final TaskSettingsService settings;
    private final TraceIndex index;
    private final ScopeDrifts drifts;
    private final IndexConfig config;
    private final Clock clock;
    /**
     * Per task that stores no text, how many times this replica erased it (a restart erases again: it is
     * idempotent). Twice, a refresh apart: a batch the consumer fetched before the setting erased the text
     * in PostgreSQL, and wrote after the first pass, is gone after the second.
     */
    private final Map<String, Integer> passes = new HashMap<>();

    TextErasure(TaskSettingsService settings, TraceIndex index, ScopeDrifts drifts, IndexConfig config, Clock clock) {
        this.settings = settings;
        this.index = index;
        this.drifts = drifts;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "{tailaudit.index.refresh-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void erase() {
        if (!config.enabled() || !index.available()) {
            return;
        }
        try {
            Set<String> textless = settings.textless();
            passes.keySet().retainAll(textless);      // a task storing text again is erased anew if it turns off
            Set<String> due = new HashSet<>();
            for (String task : textless) {
                if (passes.getOrDefault(task, 0) < 2) {
                    due.add(task);
                }
            }
            if (due.isEmpty()) {
                return;
            }
            index.deleteTasks(due);
            index.commit();
            drifts.eraseText(due, clock.instant());
            due.forEach(t -> passes.merge(t, 1, Integer::sum));
            LOG.debugf("tasks that store no text, their documents and reference texts erased: %s", due);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("text of tasks that store none not erased yet, retrying: %s", e.getMessage());
        }
    }
}
