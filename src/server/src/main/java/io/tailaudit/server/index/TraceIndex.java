package io.tailaudit.server.index;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.trace.TraceQueries;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The search index on local disk (Lucene): one document per stored trace, keyed by its trace id, with its
 * redacted input and output text and the fields searches filter on. A document is only ever written from
 * what PostgreSQL stored, so the index holds the stored version of each trace and nothing ingest refused.
 * Writes update by trace id (a redelivery changes nothing); readers are near-real-time through a
 * {@link SearcherManager}. A missing index, or one of another {@link #FORMAT}, is rebuilt from PostgreSQL at
 * start, in the background, with a progress line and the {@code tailaudit_index_rebuild_traces_total} counter.
 */
@ApplicationScoped
public class TraceIndex {

    private static final Logger LOG = Logger.getLogger(TraceIndex.class);
    /** Written into every commit; an index of another format is rebuilt. */
    static final String FORMAT = "tailaudit-trace-index-3";
    static final String ID = "trace_id";
    static final String TASK = "task";
    static final String KIND = "kind";
    static final String PROVIDER = "provider";
    static final String MODEL = "model";
    static final String STATUS = "status";
    static final String TAG = "tag";
    static final String AT = "occurred_at";
    static final String INPUT = "input";
    static final String OUTPUT = "output";
    /** A hash of the trace id that no producer chooses the order of: scope drift samples the smallest. */
    static final String SAMPLE = "sample";
    /**
     * Segments keep the newest trace first, so a newest-first search stops after its page in each segment
     * instead of visiting every match; it is also the order searches sort by.
     */
    static final Sort NEWEST_FIRST = new Sort(
            new SortField(AT, SortField.Type.LONG, true),
            new SortField(ID, SortField.Type.STRING));
    private static final int REBUILD_PAGE = 2_000;
    /** Text fields: stored for highlights, with offsets in the postings so highlighting re-analyses nothing. */
    private static final org.apache.lucene.document.FieldType TEXT = new org.apache.lucene.document.FieldType(
            TextField.TYPE_STORED);

    static {
        TEXT.setIndexOptions(org.apache.lucene.index.IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
        TEXT.freeze();
    }

    private final IndexConfig config;
    private final TraceQueries traces;
    /** English: lower case, stop words, stems; numbers and addresses stay whole, so a search finds them. */
    private final Analyzer analyzer = new org.apache.lucene.analysis.en.EnglishAnalyzer();
    private final Counter rebuilt;
    private final AtomicLong documents = new AtomicLong();
    private final AtomicBoolean rebuilding = new AtomicBoolean();
    private volatile Directory directory;
    private volatile IndexWriter writer;
    private volatile SearcherManager searchers;
    private volatile boolean stopping;
    /** Orders document writes with {@link #deleteTasks}. */
    private final Object writes = new Object();

    TraceIndex(IndexConfig config, TraceQueries traces, MeterRegistry registry) {
        this.config = config;
        this.traces = traces;
        this.rebuilt = Counter.builder("tailaudit.index.rebuild.traces").description(
                "Traces written into the search index by a rebuild from PostgreSQL").register(registry);
        Gauge.builder("tailaudit.index.documents", documents, AtomicLong::get)
                .description("Documents in the search index as of its last refresh").register(registry);
        Gauge.builder("tailaudit.index.rebuilding", rebuilding, b -> b.get() ? 1 : 0)
                .description("1 while the search index is rebuilt from PostgreSQL").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        open();
    }

    /** Opens the index on disk; one that is missing or of another format is rebuilt in the background. */
    private synchronized void open() {
        try {
            Path dir = Path.of(config.dir());
            Files.createDirectories(dir);
            directory = FSDirectory.open(dir);
            boolean usable = DirectoryReader.indexExists(directory)
                    && FORMAT.equals(SegmentInfos.readLatestCommit(directory).getUserData().get("format"));
            IndexWriterConfig wc = new IndexWriterConfig(analyzer);
            wc.setRAMBufferSizeMB(64);
            wc.setIndexSort(NEWEST_FIRST);
            wc.setMergeScheduler(new LoggingMergeScheduler());
            wc.setOpenMode(usable ? IndexWriterConfig.OpenMode.CREATE_OR_APPEND : IndexWriterConfig.OpenMode.CREATE);
            writer = new IndexWriter(directory, wc);
            writer.setLiveCommitData(Map.of("format", FORMAT).entrySet());
            writer.commit();
            searchers = new SearcherManager(writer, new SearcherFactory());
            documents.set(writer.getDocStats().numDocs);
            if (!usable) {
                rebuildInBackground();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the search index at " + config.dir() + " could not be opened", e);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        close();
    }

    private synchronized void close() {
        try {
            if (searchers != null) {
                searchers.close();
            }
            if (writer != null) {
                writer.close();
            }
            if (directory != null) {
                directory.close();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("search index not closed cleanly: %s", e.getMessage());
        }
    }

    /**
     * The index folder was deleted or emptied under a running replica: writes would go nowhere and the next
     * start would find nothing. The index is opened afresh and rebuilt from PostgreSQL; writes and searches
     * meanwhile fail and are retried (the consumer re-reads what it had not committed).
     */
    private synchronized void recoverIfLost() throws IOException {
        Path dir = Path.of(config.dir());
        if (Files.isDirectory(dir) && DirectoryReader.indexExists(directory)) {
            return;
        }
        LOG.warnf("search index: %s is gone; opening a new index and rebuilding it from PostgreSQL", dir);
        try {
            searchers.close();
            writer.rollback();      // nothing of it can be committed into a folder that is gone
            directory.close();
        } catch (IOException | RuntimeException e) {
            LOG.debugf("search index: the lost index did not close cleanly: %s", e.getMessage());
        }
        open();        // a new folder: rebuilt in the background
    }

    /** Whether this replica holds the index: it has the index role and the index is open. */
    public boolean available() {
        return writer != null && writer.isOpen();
    }

    public boolean rebuilding() {
        return rebuilding.get();
    }

    /**
     * Writes these stored traces (update by trace id); searchable at the next refresh, durable at the next
     * {@link #commit}.
     */
    void write(List<TraceQueries.Indexable> stored) throws IOException {
        write(writer, stored);
    }

    private void write(IndexWriter w, List<TraceQueries.Indexable> stored) throws IOException {
        synchronized (writes) {
            for (TraceQueries.Indexable t : stored) {
                w.updateDocument(new Term(ID, t.traceId()), document(t));
            }
        }
    }

    /** Drops every document of these tasks (tasks that store no text from now on); ordered with {@link #write}. */
    void deleteTasks(Collection<String> tasks) throws IOException {
        if (tasks.isEmpty()) {
            return;
        }
        synchronized (writes) {
            writer.deleteDocuments(tasks.stream().map(t -> new Term(TASK, t)).toArray(Term[]::new));
        }
    }

    /** Makes what was written durable: offsets may be committed after it. */
    void commit() throws IOException {
        writer.commit();
    }

    /** {@link #rebuild} on a thread of its own; a rebuild already running is not started twice. */
    public void rebuildInBackground() {
        Thread t = new Thread(this::rebuild, "tailaudit-index-rebuild");
        t.setDaemon(true);
        t.start();
    }

    /** Drops the index's documents and writes every stored trace again from PostgreSQL. */
    public void rebuild() {
        if (!rebuilding.compareAndSet(false, true)) {
            return;
        }
        IndexWriter w = writer;
        try {
            rebuildInto(w);
        } finally {
            rebuilding.set(false);
        }
        if (!stopping && writer != w) {
            // the folder was lost meanwhile and the index opened afresh: what was written went to the old one
            rebuild();
        }
    }

    private void rebuildInto(IndexWriter w) {
        long start = System.nanoTime();
        long n = 0;
        try {
            LOG.info("search index: rebuilding from PostgreSQL");
            w.deleteAll();
            Instant at = Instant.EPOCH;
            String id = "";
            while (!stopping && writer == w) {
                List<TraceQueries.Indexable> page = traces.indexableAfter(at, id, REBUILD_PAGE);
                if (page.isEmpty()) {
                    break;
                }
                write(w, page);
                n += page.size();
                if (n % (10 * REBUILD_PAGE) == 0) {
                    w.commit();
                }
                rebuilt.increment(page.size());
                TraceQueries.Indexable last = page.get(page.size() - 1);
                at = last.occurredAt();
                id = last.traceId();
                if (n % 100_000 < REBUILD_PAGE) {
                    LOG.infof("search index: rebuilt %,d traces, up to %s", n, at);
                }
            }
            w.commit();
            searchers.maybeRefresh();
            LOG.infof("search index: rebuilt %,d traces in %.1f s", n, (System.nanoTime() - start) / 1e9);
        } catch (IOException | RuntimeException e) {
            if (!stopping && writer == w) {
                LOG.errorf("search index rebuild stopped after %,d traces: %s (it restarts with the next start)", n,
                        e.getMessage());
            }
        }
    }

    @Scheduled(every = "{tailaudit.index.refresh-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        if (!config.enabled() || stopping || writer == null) {
            return;
        }
        try {
            recoverIfLost();
            searchers.maybeRefresh();
            IndexSearcher s = searchers.acquire();
            try {
                documents.set(s.getIndexReader().numDocs());
            } finally {
                searchers.release(s);
            }
        } catch (IOException | RuntimeException e) {
            if (!stopping) {
                LOG.warnf("search index not refreshed: %s", e.getMessage());
            }
        }
    }

    /** Runs {@code f} on the current searcher. */
    <T> T withSearcher(SearcherFunction<T> f) throws IOException {
        IndexSearcher s = searchers.acquire();
        try {
            return f.apply(s);
        } finally {
            searchers.release(s);
        }
    }

    /** A window of inputs to sample: [from, to). */
    record Span(Instant from, Instant to) {
    }

    /**
     * A uniform sample of a task's indexed input texts per span: all of a span's inputs when it has at most
     * {@code limit}, else the {@code limit} with the smallest {@link #SAMPLE} hash (the same traces give the
     * same sample), with the span's count of inputs. One pass over the task's documents in the widest span
     * reads doc values only; each text chosen is read once, however many spans chose it.
     */
    Map<Span, TraceQueries.InputSample> inputSamples(String task, List<Span> spans, int limit) throws IOException {
        long lo = spans.stream().mapToLong(w -> w.from().toEpochMilli()).min().orElseThrow();
        long hi = spans.stream().mapToLong(w -> w.to().toEpochMilli()).max().orElseThrow();
        Query query = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(TASK, task)), BooleanClause.Occur.FILTER)
                .add(LongPoint.newRangeQuery(AT, lo, hi - 1), BooleanClause.Occur.FILTER)
                .add(new FieldExistsQuery(INPUT), BooleanClause.Occur.FILTER).build();
        return withSearcher(searcher -> {
            int n = spans.size();
            long[] from = new long[n];
            long[] to = new long[n];
            long[] counts = new long[n];
            List<PriorityQueue<Pick>> picks = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                from[k] = spans.get(k).from().toEpochMilli();
                to[k] = spans.get(k).to().toEpochMilli();
                picks.add(new PriorityQueue<>(Comparator.comparingLong(Pick::hash).reversed()));
            }
            Weight weight = searcher.createWeight(searcher.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1f);
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            for (LeafReaderContext leaf : leaves) {
                Scorer scorer = weight.scorer(leaf);
                if (scorer == null) {
                    continue;
                }
                Bits live = leaf.reader().getLiveDocs();
                NumericDocValues at = DocValues.getNumeric(leaf.reader(), AT);
                NumericDocValues hash = DocValues.getNumeric(leaf.reader(), SAMPLE);
                DocIdSetIterator it = scorer.iterator();
                for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                    if (live != null && !live.get(doc) || !at.advanceExact(doc) || !hash.advanceExact(doc)) {
                        continue;
                    }
                    long ms = at.longValue();
                    long h = hash.longValue();
                    for (int k = 0; k < n; k++) {
                        if (ms >= from[k] && ms < to[k]) {
                            counts[k]++;
                            PriorityQueue<Pick> q = picks.get(k);
                            if (q.size() < limit) {
                                q.add(new Pick(h, leaf.ord, doc));
                            } else if (h < q.peek().hash()) {
                                q.poll();
                                q.add(new Pick(h, leaf.ord, doc));
                            }
                        }
                    }
                }
            }
            // each chosen text once, in index order (stored fields are read block by block)
            TreeMap<Long, TraceQueries.Input> texts = new TreeMap<>();
            picks.forEach(q -> q.forEach(p -> texts.put(p.key(), null)));
            Set<String> fields = Set.of(ID, INPUT);
            StoredFields stored = null;
            int storedLeaf = -1;
            for (Map.Entry<Long, TraceQueries.Input> e : texts.entrySet()) {
                int leaf = (int) (e.getKey() >>> 32);
                if (leaf != storedLeaf) {
                    stored = leaves.get(leaf).reader().storedFields();
                    storedLeaf = leaf;
                }
                Document d = stored.document((int) (long) e.getKey(), fields);
                e.setValue(new TraceQueries.Input(d.get(ID), d.get(INPUT)));
            }
            Map<Span, TraceQueries.InputSample> out = new HashMap<>();
            for (int k = 0; k < n; k++) {
                List<Pick> chosen = new ArrayList<>(picks.get(k));
                chosen.sort(Comparator.comparingLong(Pick::hash).thenComparingLong(Pick::key));
                out.put(spans.get(k), new TraceQueries.InputSample(counts[k],
                        chosen.stream().map(p -> texts.get(p.key())).toList()));
            }
            return out;
        });
    }

    private record Pick(long hash, int leaf, int doc) {
        long key() {
            return (long) leaf << 32 | doc;
        }
    }

    /** Makes what was indexed so far searchable now (tests, and a search right after a write). */
    public void refreshNow() throws IOException {
        searchers.maybeRefreshBlocking();
    }

    interface SearcherFunction<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }

    Analyzer analyzer() {
        return analyzer;
    }

    /** 64 bits of two murmur3 hashes of the trace id: a stable order no trace id chooses its place in. */
    static long sampleHash(String traceId) {
        BytesRef b = new BytesRef(traceId);
        long hi = org.apache.lucene.util.StringHelper.murmurhash3_x86_32(b, 0x5ca1ab1e);
        long lo = org.apache.lucene.util.StringHelper.murmurhash3_x86_32(b, 0x0ddba11);
        return (hi << 32) | (lo & 0xffffffffL);
    }

    private static Document document(TraceQueries.Indexable t) {
        Document d = new Document();
        d.add(new StringField(ID, t.traceId(), Field.Store.YES));
        d.add(new SortedDocValuesField(ID, new BytesRef(t.traceId())));
        d.add(new StringField(TASK, t.task(), Field.Store.YES));
        d.add(new StringField(KIND, t.deploymentKind(), Field.Store.YES));
        if (t.provider() != null) {
            d.add(new StringField(PROVIDER, t.provider(), Field.Store.YES));
        }
        d.add(new StringField(MODEL, t.model(), Field.Store.YES));
        d.add(new StringField(STATUS, t.status(), Field.Store.YES));
        t.tags().forEach((k, v) -> d.add(new StringField(TAG, k + "=" + v, Field.Store.NO)));
        long ms = t.occurredAt().toEpochMilli();
        d.add(new LongPoint(AT, ms));
        d.add(new NumericDocValuesField(AT, ms));
        d.add(new StoredField(AT, ms));
        d.add(new NumericDocValuesField(SAMPLE, sampleHash(t.traceId())));
        if (t.input() != null) {
            d.add(new Field(INPUT, t.input(), TEXT));
        }
        if (t.output() != null) {
            d.add(new Field(OUTPUT, t.output(), TEXT));
        }
        return d;
    }

    /**
     * A merge that fails (the folder deleted under a running replica takes its files away mid-merge) is
     * logged, not rethrown on the merge thread: the next refresh notices the lost folder and opens a new one.
     */
    private static final class LoggingMergeScheduler extends org.apache.lucene.index.ConcurrentMergeScheduler {
        @Override
        protected void handleMergeException(Throwable exc) {
            LOG.warnf("index merge failed (the next refresh checks the index folder): %s", exc.toString());
        }
    }
}
