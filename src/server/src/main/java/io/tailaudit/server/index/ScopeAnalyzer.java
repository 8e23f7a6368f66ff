package io.tailaudit.server.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * How inputs become terms for scope drift and search: Lucene's standard tokenizer, lower case, English
 * possessives and stop words removed, Porter stems (so "extracting" meets "extract"), and every number one
 * term ({@code 0}): an invoice number or an order id says nothing about what a task is asked to do.
 */
final class ScopeAnalyzer extends Analyzer {

    @Override
    protected TokenStreamComponents createComponents(String field) {
        StandardTokenizer source = new StandardTokenizer();
        TokenStream s = new EnglishPossessiveFilter(source);
        s = new LowerCaseFilter(s);
        s = new NumbersAsZero(s);
        s = new StopFilter(s, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
        s = new PorterStemFilter(s);
        return new TokenStreamComponents(source, s);
    }

    /** The distinct terms of a text, in order of first appearance. */
    Set<String> terms(String text) {
        Set<String> out = new LinkedHashSet<>();
        try (TokenStream ts = tokenStream("text", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringReader does not fail
        }
        return out;
    }

    /**
     * A token holding an ASCII digit becomes {@code 0}: what {@code PatternReplaceFilter(".*\\d.*", "0")}
     * did, without a regular expression per token (it was half the cost of a drift refresh).
     */
    static final class NumbersAsZero extends TokenFilter {

        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);

        NumbersAsZero(TokenStream in) {
            super(in);
        }

        @Override
        public boolean incrementToken() throws IOException {
            if (!input.incrementToken()) {
                return false;
            }
            char[] b = term.buffer();
            for (int i = 0, n = term.length(); i < n; i++) {
                if (b[i] >= '0' && b[i] <= '9') {
                    term.setEmpty().append('0');
                    break;
                }
            }
            return true;
        }
    }
}
