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
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
    static final String FORMAT = "tailaudit-trace-index-2";
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
        try {
            Path dir = Path.of(config.dir());
            Files.createDirectories(dir);
            directory = FSDirectory.open(dir);
            boolean usable = DirectoryReader.indexExists(directory)
                    && FORMAT.equals(SegmentInfos.readLatestCommit(directory).getUserData().get("format"));
            IndexWriterConfig wc = new IndexWriterConfig(analyzer);
            wc.setRAMBufferSizeMB(64);
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
        for (TraceQueries.Indexable t : stored) {
            writer.updateDocument(new Term(ID, t.traceId()), document(t));
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
        long start = System.nanoTime();
        long n = 0;
        try {
            LOG.info("search index: rebuilding from PostgreSQL");
            writer.deleteAll();
            Instant at = Instant.EPOCH;
            String id = "";
            while (!stopping) {
                List<TraceQueries.Indexable> page = traces.indexableAfter(at, id, REBUILD_PAGE);
                if (page.isEmpty()) {
                    break;
                }
                write(page);
                n += page.size();
                if (n % (10 * REBUILD_PAGE) == 0) {
                    commit();
                }
                rebuilt.increment(page.size());
                TraceQueries.Indexable last = page.get(page.size() - 1);
                at = last.occurredAt();
                id = last.traceId();
                if (n % 100_000 < REBUILD_PAGE) {
                    LOG.infof("search index: rebuilt %,d traces, up to %s", n, at);
                }
            }
            commit();
            searchers.maybeRefresh();
            LOG.infof("search index: rebuilt %,d traces in %.1f s", n, (System.nanoTime() - start) / 1e9);
        } catch (IOException | RuntimeException e) {
            if (!stopping) {
                LOG.errorf("search index rebuild stopped after %,d traces: %s (it restarts with the next start)", n,
                        e.getMessage());
            }
        } finally {
            rebuilding.set(false);
        }
    }

    @Scheduled(every = "{tailaudit.index.refresh-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        if (!available()) {
            return;
        }
        try {
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
        if (t.input() != null) {
            d.add(new Field(INPUT, t.input(), TEXT));
        }
        if (t.output() != null) {
            d.add(new Field(OUTPUT, t.output(), TEXT));
        }
        return d;
    }
}
