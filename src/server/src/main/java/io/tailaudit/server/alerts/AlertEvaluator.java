package io.tailaudit.server.alerts;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.db.AdvisoryLock;
import io.tailaudit.server.db.StorageException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The evaluation cycle: reads every enabled rule ({@link RuleReadings}), moves each rule x subject through
 * pending, firing and resolved ({@link AlertStates}), and writes the history and the notifications
 * ({@link AlertOutbox}) in the transaction that records the change. One replica evaluates at a time: the
 * cycle runs under a transaction-scoped advisory lock, so two evaluators never both see a condition newly
 * firing, and a page is queued once.
 */
@ApplicationScoped
public class AlertEvaluator {

    private static final Logger LOG = Logger.getLogger(AlertEvaluator.class);
    /** "tailalrt" in ASCII. */
    private static final long LOCK_KEY = 0x7461696c616c7274L;

    private final DataSource dataSource;
    private final AlertStore store;
    private final RuleReadings readings;
    private final AlertOutbox outbox;
    private final AlertsConfig config;
    private final Clock clock;
    private final Timer duration;
    private final Map<String, Counter> firings = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> firing = new ConcurrentHashMap<>();
    private final TaskGauges taskGauges;
    private volatile boolean stopping;

    AlertEvaluator(DataSource dataSource, AlertStore store, RuleReadings readings, AlertOutbox outbox,
                   AlertsConfig config, Clock clock, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.store = store;
        this.readings = readings;
        this.outbox = outbox;
        this.config = config;
        this.clock = clock;
        this.duration = Timer.builder("tailaudit.alert.evaluation.duration").publishPercentiles(0.5, 0.95)
                .description("Time to evaluate every enabled alert rule once").register(registry);
        for (String severity : AlertRule.SEVERITIES) {
            firings.put(severity, Counter.builder("tailaudit.alert.firings").tag("severity", severity)
                    .description("Alerts that started firing").register(registry));
            AtomicInteger n = new AtomicInteger();
            firing.put(severity, n);
            Gauge.builder("tailaudit.alerts.firing", n, AtomicInteger::get).tag("severity", severity)
                    .description("Alerts (rule x subject) firing after the last evaluation").register(registry);
        }
        this.taskGauges = new TaskGauges(registry, config.maxTaskGauges());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Scheduled(every = "{tailaudit.alerts.evaluate-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        if (!config.enabled()) {
            return;
        }
        try {
            evaluate();
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.warnf("alert evaluation failed, next cycle retries: %s", e.getMessage());
            }
        }
    }

    /** What a cycle did: false when another replica held the lock. */
    public record Cycle(boolean evaluated, int rules, int subjects, int events, int notifications, double millis) {
    }

    /** Evaluates every enabled rule once; returns what it did. Safe to call from several replicas at once. */
    public Cycle evaluate() {
        long start = System.nanoTime();
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!AdvisoryLock.tryForTransaction(c, LOCK_KEY)) {
                    c.rollback();
                    return new Cycle(false, 0, 0, 0, 0, 0);
                }
                List<AlertRule> rules = store.rules(c, true);
                Map<String, AlertStates.State> states = AlertStates.load(c);
                List<AlertStore.Silence> silences = store.activeSilences(c, now);
                RuleReadings.CycleReadings read = readings.begin(c, now);
                List<AlertStates.Change> changes = new ArrayList<>();
                int subjects = 0;
                try (AlertStates.StateWrites writes = new AlertStates.StateWrites(c)) {
                    for (AlertRule rule : rules) {
                        Map<String, Observation> observed = read.observe(rule);
                        subjects += observed.size();
                        // subjects with a state but no reading this cycle (no traffic in the window) stop holding
                        for (AlertStates.State s : states.values()) {
                            if (s.ruleId == rule.id() && !observed.containsKey(s.subject)) {
                                observed.put(s.subject, Observation.gone(s.subject, s.summary,
                                        readings.link(rule, s.subject)));
                            }
                        }
                        for (Observation o : observed.values()) {
                            AlertStates.State s = states.get(AlertStates.key(rule.id(), o.subject()));
                            boolean silenced = silences.stream().anyMatch(x -> x.matches(rule.id(), o.subject(), now));
                            int before = changes.size();
                            AlertStates.step(writes, rule, o, s, silenced, now, changes);
                            if (rule.metric() == AlertMetric.VERDICT_CHANGED && changes.size() > before
                                    && "firing".equals(changes.get(before).kind())) {
                                read.acknowledge(o.subject(), o.verdict());   // the change is now the norm
                            }
                        }
                    }
                    writes.flush();
                }
                read.acknowledgeVerdicts();
                int notifications = outbox.record(c, changes, now);
                c.commit();
                changes.stream().filter(ch -> "firing".equals(ch.kind()) && ch.startsAt().equals(now))
                        .forEach(ch -> firings.get(ch.rule().severity()).increment());
                Map<String, Integer> counts = AlertStates.firingBySeverity(c);
                firing.forEach((sev, n) -> n.set(counts.getOrDefault(sev, 0)));
                taskGauges.update(read.list("24h"), t -> read.settings(t).tailThreshold());
                long nanos = System.nanoTime() - start;
                duration.record(nanos, TimeUnit.NANOSECONDS);
                if (LOG.isDebugEnabled()) {
                    LOG.debugf("alert cycle rules=%d subjects=%d events=%d read_ms=%.1f ms=%.1f", rules.size(),
                            subjects, changes.size(), read.readNanos / 1e6, nanos / 1e6);
                }
                return new Cycle(true, rules.size(), subjects, changes.size(), notifications, nanos / 1e6);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
