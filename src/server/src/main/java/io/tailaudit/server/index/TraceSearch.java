package io.tailaudit.server.index;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.queryparser.classic.QueryParserBase;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MultiTermQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.uhighlight.DefaultPassageFormatter;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.util.BytesRef;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Full-text search over the stored traces' redacted input and output, in Lucene's classic query syntax,
 * filtered by task, deployment kind, status and time; newest or best first, a page at a time (keyset:
 * the cursor is the last hit's sort values). Bounded: a query of more than {@value #MAX_CLAUSES} clauses is
 * refused, a wildcard or fuzzy term expands to at most {@value #MAX_EXPANSION} terms and cannot lead, and a
 * search stops after {@code tailaudit.index.search-timeout} and says it is partial.
 */
@ApplicationScoped
public class TraceSearch {

    static final int MAX_CLAUSES = 256;
    static final int MAX_EXPANSION = 128;
    static final int MAX_QUERY_CHARS = 2_000;

    private final TraceIndex index;
    private final IndexConfig config;

    TraceSearch(TraceIndex index, IndexConfig config) {
        this.index = index;
        this.config = config;
    }

    public enum Order { NEWEST, BEST }

    public record Request(String q, Optional<String> task, Optional<String> kind, Optional<String> status,
                          Optional<Instant> from, Optional<Instant> to, Order order, int limit,
                          Optional<String> cursor) {
    }

    /** One hit: its filter fields and a highlighted passage of its input and of its output, where they match. */
    public record Hit(String traceId, Instant occurredAt, String task, String deploymentKind, String provider,
                      String model, String status, Float score, String inputHighlight, String outputHighlight) {
    }

    public record Result(long total, boolean totalIsExact, boolean partial, List<Hit> hits, String nextCursor) {
    }

    /** A query the parser, the bounds or the cursor refuse; its message says why. */
    public static class BadQuery extends RuntimeException {
        BadQuery(String message) {
            super(message);
        }
    }

    /** @throws java.io.UncheckedIOException when the index cannot be read */
    public Result search(Request r) {
        Query text = parse(r.q());
        BooleanQuery.Builder b = new BooleanQuery.Builder().add(text, BooleanClause.Occur.MUST);
        r.task().ifPresent(t -> b.add(new TermQuery(new Term(TraceIndex.TASK, t)), BooleanClause.Occur.FILTER));
        r.kind().ifPresent(k -> b.add(new TermQuery(new Term(TraceIndex.KIND, k)), BooleanClause.Occur.FILTER));
        r.status().ifPresent(s -> b.add(new TermQuery(new Term(TraceIndex.STATUS, s)), BooleanClause.Occur.FILTER));
        if (r.from().isPresent() || r.to().isPresent()) {
            long lo = r.from().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
            long hi = r.to().map(t -> t.toEpochMilli() - 1).orElse(Long.MAX_VALUE);
            b.add(LongPoint.newRangeQuery(TraceIndex.AT, lo, hi), BooleanClause.Occur.FILTER);
        }
        Query query = b.build();
        // newest first is the index's own order: each segment stops after its page
        Sort sort = r.order() == Order.NEWEST ? TraceIndex.NEWEST_FIRST
                : new Sort(SortField.FIELD_SCORE, new SortField(TraceIndex.AT, SortField.Type.LONG, true),
                new SortField(TraceIndex.ID, SortField.Type.STRING));
        Optional<FieldDoc> after = r.cursor().map(c -> decode(c, r.order()));
        long deadline = System.nanoTime() + config.searchTimeout().toNanos();
        QueryTimeout timeout = () -> System.nanoTime() > deadline;
        try {
            return index.withSearcher(searcher -> search(searcher, r, text, query, sort, after, timeout));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the search index could not be read", e);
        }
    }

    private Result search(IndexSearcher searcher, Request r, Query text, Query query, Sort sort,
                          Optional<FieldDoc> after, QueryTimeout timeout) throws IOException {
        IndexSearcher s = new IndexSearcher(searcher.getIndexReader());
        s.setTimeout(timeout);
        boolean scores = r.order() == Order.BEST;
        TopFieldDocs top = after.isPresent() ? s.searchAfter(after.get(), query, r.limit(), sort, scores)
                : s.search(query, r.limit(), sort, scores);
        boolean partial = s.timedOut();
        ScoreDoc[] docs = top.scoreDocs;
        String[] inputs = new String[docs.length];
        String[] outputs = new String[docs.length];
        if (docs.length > 0) {
            // passages are HTML-escaped, the matches marked with <b>: safe to show as they are
            UnifiedHighlighter h = UnifiedHighlighter.builder(searcher, index.analyzer()).withMaxLength(50_000)
                    .withFormatter(new DefaultPassageFormatter("<b>", "</b>", "… ", true)).build();
            int[] ids = new int[docs.length];
            for (int i = 0; i < docs.length; i++) {
                ids[i] = docs[i].doc;
            }
            var highlights = h.highlightFields(new String[] {TraceIndex.INPUT, TraceIndex.OUTPUT}, text, ids,
                    new int[] {1, 1});
            inputs = highlights.get(TraceIndex.INPUT);
            outputs = highlights.get(TraceIndex.OUTPUT);
        }
        List<Hit> hits = new ArrayList<>();
        for (int i = 0; i < docs.length; i++) {
            Document d = searcher.storedFields().document(docs[i].doc);
            FieldDoc fd = (FieldDoc) docs[i];
            Float score = r.order() == Order.BEST ? (Float) fd.fields[0] : null;
            hits.add(new Hit(d.get(TraceIndex.ID), Instant.ofEpochMilli(at(d)), d.get(TraceIndex.TASK),
                    d.get(TraceIndex.KIND), d.get(TraceIndex.PROVIDER), d.get(TraceIndex.MODEL),
                    d.get(TraceIndex.STATUS), score, inputs[i], outputs[i]));
        }
        String next = docs.length == r.limit() && !partial ? encode((FieldDoc) docs[docs.length - 1], r.order())
                : null;
        return new Result(top.totalHits.value(), top.totalHits.relation() == org.apache.lucene.search.TotalHits
                .Relation.EQUAL_TO, partial, hits, next);
    }

    private Query parse(String q) {
        if (q == null || q.isBlank()) {
            throw new BadQuery("q is required: a query in Lucene's classic syntax, e.g. \"reset password\" AND NOT refund");
        }
        if (q.length() > MAX_QUERY_CHARS) {
            throw new BadQuery("q is " + q.length() + " characters long; at most " + MAX_QUERY_CHARS);
        }
        MultiFieldQueryParser p = new MultiFieldQueryParser(new String[] {TraceIndex.INPUT, TraceIndex.OUTPUT},
                index.analyzer());
        p.setAllowLeadingWildcard(false);
        p.setDefaultOperator(QueryParser.Operator.AND);
        p.setMultiTermRewriteMethod(new MultiTermQuery.TopTermsScoringBooleanQueryRewrite(MAX_EXPANSION));
        try {
            Query parsed = p.parse(q);
            int clauses = count(parsed);
            if (clauses > MAX_CLAUSES) {
                throw new BadQuery("the query has " + clauses + " clauses; at most " + MAX_CLAUSES);
            }
            return parsed;
        } catch (ParseException e) {
            throw new BadQuery("q is not a valid query: " + firstLine(e.getMessage()));
        } catch (IndexSearcher.TooManyClauses e) {
            throw new BadQuery("the query has too many clauses; at most " + MAX_CLAUSES);
        } catch (IllegalArgumentException e) {
            throw new BadQuery("q is not a valid query: " + firstLine(e.getMessage()));
        }
    }

    private static int count(Query q) {
        int[] n = {0};
        q.visit(new org.apache.lucene.search.QueryVisitor() {
            @Override
            public void consumeTerms(Query query, Term... terms) {
                n[0] += terms.length;
            }

            @Override
            public void visitLeaf(Query query) {
                n[0]++;
            }

            @Override
            public org.apache.lucene.search.QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
                return this;
            }
        });
        return n[0];
    }

    private static String firstLine(String s) {
        String line = s == null ? "" : s.lines().findFirst().orElse("");
        // the parser names its own classes: keep what it says of the query only
        return line.replace(QueryParserBase.class.getName() + ".", "").replace("Cannot parse ", "cannot parse ");
    }

    private static long at(Document d) {
        IndexableField f = d.getField(TraceIndex.AT);
        return f.numericValue().longValue();
    }

    /** The cursor: the last hit's sort values, URL-safe. */
    private static String encode(FieldDoc d, Order order) {
        String id = ((BytesRef) d.fields[d.fields.length - 1]).utf8ToString();
        long at = (Long) d.fields[d.fields.length - 2];
        String s = order == Order.BEST ? String.format(Locale.ROOT, "b:%s:%d:%s",
                Float.floatToIntBits((Float) d.fields[0]), at, id) : "n:" + at + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static FieldDoc decode(String cursor, Order order) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] p = s.split(":", order == Order.BEST ? 4 : 3);
            if (order == Order.BEST && p.length == 4 && p[0].equals("b")) {
                return new FieldDoc(Integer.MAX_VALUE, Float.NaN, new Object[] {Float.intBitsToFloat(
                        Integer.parseInt(p[1])), Long.parseLong(p[2]), new BytesRef(p[3])});
            }
            if (order == Order.NEWEST && p.length == 3 && p[0].equals("n")) {
                return new FieldDoc(Integer.MAX_VALUE, Float.NaN, new Object[] {Long.parseLong(p[1]),
                        new BytesRef(p[2])});
            }
        } catch (IllegalArgumentException e) {
            // below
        }
        throw new BadQuery("cursor is not one this search gave (a cursor belongs to its order)");
    }
}
