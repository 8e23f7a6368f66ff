package io.tailaudit.server.index;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.settings.TaskSettingsService;
import io.tailaudit.server.tail.ScopeDrift;
import io.tailaudit.server.tail.Windows;
import io.tailaudit.server.trace.TraceQueries;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures every task's scope drift over each named window (DESIGN "Scope drift"), on replicas with the
 * index role, and stores it for every replica to read. A task gets its reference once its reference period
 * (the first 7 x 24 h) is over and a later trace of it is stored: its input texts of that period from
 * PostgreSQL, all of them up to {@code tailaudit.index.reference-texts}, else a sample of that size. Each
 * window's inputs after the reference period are sampled from the search index (all of them up to
 * {@code tailaudit.index.drift-sample}, else those with the smallest sample hash) and scored against it;
 * the share of novel ones has a Wilson interval. Under 100 inputs or 100 reference texts it is not
 * measured, and says why; so is a task that stores no text, and nothing is measured while the index
 * rebuilds.
 */
@ApplicationScoped
public class ScopeDriftJob {

    private static final Logger LOG = Logger.getLogger(ScopeDriftJob.class);
    /** Novel inputs kept as examples per task and window. */
    static final int EXAMPLES = 5;

    private final TraceQueries traces;
    private final TraceIndex index;
    private final ScopeDrifts drifts;
    private final TaskSettingsService settings;
    private final IndexConfig config;
    private final Clock clock;
    private volatile boolean stopping;
    /** The last full refresh: seconds it took, tasks it read, windows it measured, when it ended (epoch s). */
    private final AtomicReference<double[]> last =
            new AtomicReference<>(new double[] {0, 0, 0, 0});

    ScopeDriftJob(TraceQueries traces, TraceIndex index, ScopeDrifts drifts, TaskSettingsService settings,
                  IndexConfig config, Clock clock, MeterRegistry registry) {
        this.traces = traces;
        this.index = index;
        this.drifts = drifts;
        this.settings = settings;
        this.config = config;
        this.clock = clock;
        Gauge.builder("tailaudit.index.drift.refresh.seconds", last, l -> l.get()[0])
                .description("Duration of the last full scope-drift refresh (every task, every window)").register(registry);
        Gauge.builder("tailaudit.index.drift.refresh.tasks", last, l -> l.get()[1])
                .description("Tasks the last scope-drift refresh read").register(registry);
        Gauge.builder("tailaudit.index.drift.refresh.measured", last, l -> l.get()[2])
                .description("Task x window drifts the last refresh measured").register(registry);
        Gauge.builder("tailaudit.index.drift.refresh.end", last, l -> l.get()[3])
                .description("When the last scope-drift refresh ended, epoch seconds").register(registry);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Scheduled(every = "{tailaudit.index.drift-every}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        if (!config.enabled()) {
            return;
        }
        try {
            refresh();
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.warnf("scope drift not refreshed, next run retries: %s", e.getMessage());
            }
        }
    }

    /** What a refresh did; {@code skipped} says why it measured nothing, when it did not run. */
    public record Refresh(int tasks, int measured, int references, double millis, String skipped) {
    }

    /**
     * Measures every task's drift over every named window now, tasks side by side on as many threads as
     * there are cores (each task reads its own reference and samples); returns what it did.
     */
    public Refresh refresh() {
        if (index.rebuilding()) {
            // the windows are sampled from the index: a partial one would understate every task's inputs
            return new Refresh(0, 0, 0, 0, "the search index is being rebuilt from PostgreSQL; drift is measured"
                    + " again once it is whole");
        }
        long start = System.nanoTime();
        Instant now = clock.instant();
        Map<String, Instant> first = traces.firstTraces();
        Set<String> textless = settings.textless();
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), first.size()));
        AtomicInteger measured = new AtomicInteger();
        AtomicInteger references = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads,
                r -> new Thread(r, "tailaudit-scope-drift"));
        try {
            List<Future<?>> work = new ArrayList<>();
            for (Map.Entry<String, Instant> t : first.entrySet()) {
                work.add(pool.submit(() -> {
                    if (!stopping) {
                        int[] did = measure(t.getKey(), t.getValue(), now, textless.contains(t.getKey()));
                        measured.addAndGet(did[0]);
                        references.addAndGet(did[1]);
                    }
                }));
            }
            for (Future<?> f : work) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
        Set<String> kept = new HashSet<>(first.keySet());
        kept.removeAll(textless);
        forget(kept);
        double millis = (System.nanoTime() - start) / 1e6;
        last.set(new double[] {millis / 1e3, first.size(), measured.get(), clock.instant().getEpochSecond()});
        LOG.debugf("scope drift refreshed tasks=%d measured=%d references=%d threads=%d ms=%.0f", first.size(),
                measured.get(), references.get(), threads, millis);
        return new Refresh(first.size(), measured.get(), references.get(), millis, null);
    }

    /** Measures one task's drift over every named window now (after its reference was pinned). */
    public void refresh(String task) {
        Instant first = traces.firstTraces().get(task);
        if (first != null && !index.rebuilding()) {
            measure(task, first, clock.instant(), settings.textless().contains(task));
        }
    }

    /** {windows measured, references built} for one task. */
    private int[] measure(String task, Instant firstTrace, Instant now, boolean textless) {
        int measured = 0;
        int references = 0;
        if (textless) {
            for (String w : Windows.NAMES) {
                save(task, w, now, ScopeDrift.notMeasured("the task stores no text (its setting store_text is off)"));
            }
            return new int[] {0, 0};
        }
        Optional<ScopeDrifts.Reference> reference = drifts.reference(task);
        if (reference.isEmpty()) {
            Instant to = firstTrace.plus(config.referencePeriod());
            // and once traffic after it is stored, so the period's own traces are in (a backfill, a lagging ingest)
            if (to.isAfter(now) || !traces.anyAtOrAfter(task, to)) {
                for (String w : Windows.NAMES) {
                    save(task, w, now, ScopeDrift.notMeasured(String.format(Locale.ROOT,
                            "the reference period (the first %s of traffic) ends at %s; it is built from the"
                                    + " first trace after that", human(config.referencePeriod()), to)));
                }
                return new int[] {0, 0};
            }
            reference = Optional.of(buildReference(task, firstTrace, to, null, now));
            references++;
        }
        ScopeDrifts.Reference ref = reference.get();
        boolean enough = ref.texts() >= ScopeDrift.MIN_TEXTS;
        Instant end = Windows.end(now);
        // each window's inputs after the reference period; windows starting inside it read the same span
        Map<String, TraceIndex.Span> spans = new LinkedHashMap<>();
        for (String w : Windows.NAMES) {
            Instant from = end.minus(Windows.LENGTHS.get(w));
            Instant after = from.isBefore(ref.to()) ? ref.to() : from;
            if (!enough) {
                save(task, w, now, from, end, ScopeDrift.notMeasured(String.format(Locale.ROOT,
                        "only %d reference inputs with text (at least %d needed)", ref.texts(), ScopeDrift.MIN_TEXTS)),
                        List.of());
            } else if (!after.isBefore(end)) {
                save(task, w, now, from, end, ScopeDrift.notMeasured("the window lies inside the reference period"),
                        List.of());
            } else {
                spans.put(w, new TraceIndex.Span(after, end));
            }
        }
        if (spans.isEmpty()) {
            return new int[] {0, references};
        }
        Map<TraceIndex.Span, TraceQueries.InputSample> samples;
        try {
            samples = index.inputSamples(task, List.copyOf(new LinkedHashSet<>(spans.values())),
                    config.driftSample());
        } catch (IOException e) {
            throw new UncheckedIOException("the search index could not be read", e);
        }
        // what the last refresh scored against the same reference is not scored again (samples change slowly)
        Scored before = cache.get(task);
        if (before != null && !before.builtAt().equals(ref.builtAt())) {
            before = null;
        }
        ScopeReference[] scope = {before == null ? null : before.reference()};
        Map<Long, Double> scored = new HashMap<>();
        for (Map.Entry<String, TraceIndex.Span> e : spans.entrySet()) {
            String w = e.getKey();
            Instant from = end.minus(Windows.LENGTHS.get(w));
            TraceQueries.InputSample sample = samples.get(e.getValue());
            if (sample.inputs().size() < ScopeDrift.MIN_TEXTS) {
                save(task, w, now, from, end, new ScopeDrift(sample.total(), sample.inputs().size(), 0, ref.texts(),
                        Optional.of(String.format(Locale.ROOT, "only %d inputs with text after the reference period"
                                + " (at least %d needed)", sample.total(), ScopeDrift.MIN_TEXTS))), List.of());
                continue;
            }
            List<ScopeDrifts.Example> novel = new ArrayList<>();
            for (TraceQueries.Input in : sample.inputs()) {
                long hash = TraceIndex.sampleHash(in.traceId());
                Double similarity = scored.get(hash);
                if (similarity == null) {
                    similarity = before == null ? null : before.similarity(hash);
                    if (similarity == null) {
                        if (scope[0] == null) {
                            scope[0] = ScopeReference.of(drifts.referenceTexts(task));
                        }
                        similarity = scope[0].similarity(in.text());
                    }
                    scored.put(hash, similarity);
                }
                if (similarity < ScopeReference.NOVEL_BELOW) {
                    novel.add(new ScopeDrifts.Example(in.traceId(), in.text(), similarity));
                }
            }
            List<ScopeDrifts.Example> examples = novel.stream()
                    .sorted(Comparator.comparingDouble(ScopeDrifts.Example::similarity)).limit(EXAMPLES)
                    .map(x -> new ScopeDrifts.Example(x.traceId(), cut(x.text()), x.similarity())).toList();
            save(task, w, now, from, end, new ScopeDrift(sample.total(), sample.inputs().size(), novel.size(),
                    ref.texts(), Optional.empty()), examples);
            measured++;
        }
        remember(task, ref.builtAt(), before, scope[0], scored);
        return new int[] {measured, references};
    }

    /**
     * A task's scoring state as of its reference: the analysed reference (kept while the cache budget
     * allows) and the similarities of the last refresh's sampled inputs, by sample hash (sorted).
     */
    private record Scored(Instant builtAt, ScopeReference reference, long bytes, long[] hashes, double[] similarities) {

        Double similarity(long hash) {
            int i = Arrays.binarySearch(hashes, hash);
            return i >= 0 ? similarities[i] : null;
        }
    }

    private final Map<String, Scored> cache = new ConcurrentHashMap<>();
    private final AtomicLong cachedBytes = new AtomicLong();

    private void remember(String task, Instant builtAt, Scored before, ScopeReference scope, Map<Long, Double> scored) {
        long[] hashes = scored.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        double[] similarities = new double[hashes.length];
        for (int i = 0; i < hashes.length; i++) {
            similarities[i] = scored.get(hashes[i]);
        }
        ScopeReference keep = null;
        long bytes = 0;
        if (scope != null) {
            long freed = before != null && before.reference() == scope ? before.bytes() : 0;
            if (cachedBytes.get() - freed + scope.bytes() <= config.referenceCacheMb() * 1024L * 1024) {
                keep = scope;
                bytes = scope.bytes();
            }
        }
        Scored old = cache.put(task, new Scored(builtAt, keep, bytes, hashes, similarities));
        cachedBytes.addAndGet(bytes - (old == null ? 0 : old.bytes()));
    }

    private void forget(Collection<String> keep) {
        cache.keySet().removeIf(task -> {
            if (keep.contains(task)) {
                return false;
            }
            Scored s = cache.get(task);
            cachedBytes.addAndGet(-(s == null ? 0 : s.bytes()));
            return true;
        });
    }

    /** Pins a task's reference to [from, to): its inputs of that window replace the reference. */
    public ScopeDrifts.Reference pin(String task, Instant from, Instant to, String by) {
        return buildReference(task, from, to, by, clock.instant());
    }

    private ScopeDrifts.Reference buildReference(String task, Instant from, Instant to, String pinnedBy, Instant now) {
        TraceQueries.InputSample sample = traces.inputSample(task, from, to, config.referenceTexts());
        List<String> texts = sample.inputs().stream().map(TraceQueries.Input::text).toList();
        drifts.saveReference(task, from, to, pinnedBy, texts, now);
        LOG.infof("scope reference of %s: %d input texts of %s to %s%s", task, texts.size(), from, to,
                pinnedBy == null ? "" : " (pinned by " + pinnedBy + ")");
        return new ScopeDrifts.Reference(task, from, to, Optional.ofNullable(pinnedBy), texts.size(), now);
    }

    private void save(String task, String window, Instant now, ScopeDrift d) {
        Instant end = Windows.end(now);
        save(task, window, now, end.minus(Windows.LENGTHS.get(window)), end, d, List.of());
    }

    private void save(String task, String window, Instant now, Instant from, Instant to, ScopeDrift d,
                      List<ScopeDrifts.Example> examples) {
        drifts.save(task, window, new ScopeDrifts.Measured(d, now, from, to, examples));
    }

    private static String cut(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "…";
    }

    private static String human(Duration d) {
        return d.toHours() % 24 == 0 ? d.toDays() + " days" : d.toHours() + " hours";
    }
}
