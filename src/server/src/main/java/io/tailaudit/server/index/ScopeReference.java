package io.tailaudit.server.index;

import org.apache.lucene.analysis.core.WhitespaceAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A task's reference inputs, indexed in memory, and how far an input lies from them. The measure,
 * calibrated on the labelled set in the tests (README "Scope drift"): BM25 over the reference retrieves the
 * {@value #CANDIDATES} reference inputs closest to the input; its similarity is the largest share of its
 * distinct terms that one of them contains. Novel when that share is below {@link #NOVEL_BELOW}: most of
 * what the input says appears in no single reference input. A new instance of a template, a paraphrase of
 * its instruction or a near miss shares most of its terms with some reference input; a new kind of request
 * in the same vocabulary shares a third, other domains, code and other languages almost none.
 */
public final class ScopeReference {

    /** The cut, calibrated on the labelled set (ScopeDriftCalibrationTest prints its precision and recall). */
    public static final double NOVEL_BELOW = 0.55;
    static final int CANDIDATES = 8;
    /** Terms of one input that query the reference: far below Lucene's clause limit for any input. */
    private static final int MAX_QUERY_TERMS = 128;
    private static final String FIELD = "input";

    private final ScopeAnalyzer analyzer = new ScopeAnalyzer();
    private final IndexSearcher searcher;
    private final List<Set<String>> referenceTerms = new ArrayList<>();
    private final Set<String> vocabulary = new HashSet<>();

    private ScopeReference(List<String> texts) {
        ByteBuffersDirectory dir = new ByteBuffersDirectory();
        // the field holds the analysed terms, so it is split on spaces only
        try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(new WhitespaceAnalyzer()))) {
            for (String t : texts) {
                Set<String> terms = analyzer.terms(t);
                vocabulary.addAll(terms);
                Document d = new Document();
                d.add(new TextField(FIELD, String.join(" ", terms), Field.Store.NO));
                d.add(new StoredField("i", referenceTerms.size()));
                referenceTerms.add(terms);
                w.addDocument(d);
            }
            w.forceMerge(1);
            w.commit();
            searcher = new IndexSearcher(DirectoryReader.open(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // memory, not disk
        }
    }

    /** The reference of these (redacted) input texts. */
    public static ScopeReference of(List<String> texts) {
        return new ScopeReference(texts);
    }

    public int size() {
        return referenceTerms.size();
    }

    /** Whether the input is novel against the reference. */
    public boolean novel(String input) {
        return similarity(input) < NOVEL_BELOW;
    }

    /**
     * 0 to 1: the largest share of the input's distinct terms that one reference input holds; 1 for an input
     * without terms (nothing in it is new).
     */
    public double similarity(String input) {
        Set<String> terms = analyzer.terms(input);
        if (terms.isEmpty()) {
            return 1;
        }
        BooleanQuery.Builder q = new BooleanQuery.Builder();
        int clauses = 0;
        for (String t : terms) {
            // the terms are analysed already: the reference field holds them as they are
            if (vocabulary.contains(t) && clauses++ < MAX_QUERY_TERMS) {
                q.add(new TermQuery(new Term(FIELD, t)), BooleanClause.Occur.SHOULD);
            }
        }
        if (clauses == 0) {
            return 0;
        }
        double best = 0;
        try {
            for (ScoreDoc hit : searcher.search(q.build(), CANDIDATES).scoreDocs) {
                int i = searcher.storedFields().document(hit.doc).getField("i").numericValue().intValue();
                Set<String> ref = referenceTerms.get(i);
                int shared = 0;
                for (String t : terms) {
                    if (ref.contains(t)) {
                        shared++;
                    }
                }
                best = Math.max(best, shared / (double) terms.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return best;
    }
}
