package io.tailaudit.bench;

import io.tailaudit.server.ingest.Redaction;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The cost of redacting prompt and output text, per KB, for the redactor ingest runs and for the one it
 * replaced (copied into {@link TextRedactorBaseline}), measured in the same run on the same inputs: typical
 * prose, prose dense with PII, and adversarial inputs (long runs that make a backtracking pattern retry
 * from every position). Each input is 16 KB, the default {@code tailaudit.ingest.max-text-chars}, so both
 * redact all of it; a 100 KB prompt shows what the window costs when the text is cut.
 * <pre>src/bench/run.sh RedactionBenchmark [seconds per measurement, default 2]</pre>
 */
public final class RedactionBenchmark {

    private static final int MAX_CHARS = 16_384;
    private static final int MIN_CALLS = 5;

    private RedactionBenchmark() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        System.out.println("TailAudit redaction cost (one thread, a call is one text through the whole redactor)");
        Fmt.printPlatform();
        System.out.println(Fmt.line("max-text-chars", Fmt.count(MAX_CHARS)));
        System.out.println(Fmt.line("per measurement", seconds + " s after " + seconds / 2 + " s of warm-up, at least "
                + MIN_CALLS + " calls"));
        UnaryOperator<String> baseline = new TextRedactorBaseline(MAX_CHARS)::apply;
        Map<String, UnaryOperator<String>> redactors = new LinkedHashMap<>();
        redactors.put("before", baseline);
        redactors.put("after", Redaction.forText(MAX_CHARS));
        long sink = 0;
        System.out.println(String.format(Locale.ROOT, "  %-28s %-9s %10s %10s %10s %12s", "input (chars)", "redactor",
                "MB/s", "p50 ns/KB", "p99 ns/KB", "worst call"));
        for (Map.Entry<String, String> input : inputs().entrySet()) {
            for (Map.Entry<String, UnaryOperator<String>> r : redactors.entrySet()) {
                Result res = measure(r.getValue(), input.getValue(), seconds);
                sink += res.sink;
                System.out.println(String.format(Locale.ROOT, "  %-28s %-9s %10.1f %,10d %,10d %12s",
                        input.getKey() + " (" + Fmt.count(input.getValue().length()) + ")", r.getKey(), res.mbPerSecond,
                        res.p50NsPerKb, res.p99NsPerKb, Fmt.micros(res.worstNanos)));
            }
        }
        System.out.println(Fmt.line("(checksum)", Long.toString(sink)));
    }

    private record Result(double mbPerSecond, long p50NsPerKb, long p99NsPerKb, long worstNanos, long sink) {
    }

    private static Result measure(UnaryOperator<String> redactor, String text, double seconds) {
        long sink = 0;
        long warmEnd = System.nanoTime() + (long) (seconds / 2 * 1e9);
        for (int i = 0; i < 2 || System.nanoTime() < warmEnd; i++) {
            sink += redactor.apply(text).length();
        }
        long[] calls = new long[1 << 16];
        int n = 0;
        long total = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while ((n < MIN_CALLS || System.nanoTime() < end) && n < calls.length) {
            long t0 = System.nanoTime();
            sink += redactor.apply(text).length();
            calls[n] = System.nanoTime() - t0;
            total += calls[n++];
        }
        long[] sorted = Arrays.copyOf(calls, n);
        Arrays.sort(sorted);
        // per KB (1,024 characters, one byte each in these ASCII-mostly inputs) of the text handed in
        double kb = text.length() / 1024.0;
        double mb = text.length() / 1e6 * n;
        return new Result(mb / (total / 1e9), Math.round(sorted[n / 2] / kb),
                Math.round(sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / kb), sorted[n - 1], sink);
    }

    /** The inputs, each built from a fixed seed so every run measures the same text. */
    public static Map<String, String> inputs() {
        Map<String, String> in = new LinkedHashMap<>();
        in.put("prose", prose(new Random(1), MAX_CHARS, 0));
        in.put("prose, PII dense", prose(new Random(2), MAX_CHARS, 1));
        in.put("prose 100 KB (cut)", prose(new Random(3), 100 * 1024, 0));
        in.put("token [A-Za-z0-9.] no '@'", token(new Random(4), MAX_CHARS, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789."));
        in.put("digits", token(new Random(5), MAX_CHARS, "0123456789"));
        in.put("digits and spaces", "4 ".repeat(MAX_CHARS / 2));
        in.put("run of '-'", "-".repeat(MAX_CHARS));
        in.put("base64 [A-Za-z0-9+/]", token(new Random(6), MAX_CHARS, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
        in.put("'a@' repeated", "a@".repeat(MAX_CHARS / 2));
        in.put("'+1 ' repeated", "+1 ".repeat(MAX_CHARS / 3));
        in.put("'_token=ab/' repeated", "_token=ab/".repeat(MAX_CHARS / 10));
        in.put("'eyJa.' repeated", "eyJa.".repeat(MAX_CHARS / 5));
        return in;
    }

    private static final String[] WORDS = ("the invoice total vendor line item due date payment terms customer "
            + "shipped order please extract return as JSON with fields and amounts in EUR for each of our "
            + "suppliers model answer context tokens latency was reported on at by from to").split(" ");

    private static final String[] PII = {"jane.doe@example.com", "+1 (415) 555-0100", "4111 1111 1111 1111",
        "123-45-6789", "AKIAIOSFODNN7EXAMPLE", "api_key=3f9a0c4e5b6d7e8f9a0b", "Bearer 9f8e7d6c5b4a39281706abcdef",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "+44 20 7946 0958", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv"};

    /**
     * Sentences of common words with the numbers prose carries (dates, amounts, order numbers, a timestamp);
     * with {@code piiPerSentence} 1 every sentence also holds one e-mail, phone, card, SSN or key.
     */
    private static String prose(Random random, int chars, int piiPerSentence) {
        StringBuilder sb = new StringBuilder(chars + 200);
        while (sb.length() < chars) {
            int words = 8 + random.nextInt(12);
            for (int w = 0; w < words; w++) {
                sb.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
            }
            switch (random.nextInt(4)) {
                case 0 -> sb.append("on 2026-11-24T10:15:02Z ");
                case 1 -> sb.append("order ").append(1_000_000 + random.nextInt(9_000_000)).append(' ');
                case 2 -> sb.append(String.format(Locale.ROOT, "%.2f EUR ", random.nextDouble() * 10_000));
                default -> sb.append("from 192.168.").append(random.nextInt(255)).append('.').append(random.nextInt(255)).append(' ');
            }
            for (int p = 0; p < piiPerSentence; p++) {
                sb.append(PII[random.nextInt(PII.length)]).append(' ');
            }
            sb.setCharAt(sb.length() - 1, '.');
            sb.append(' ');
        }
        return sb.substring(0, chars);
    }

    private static String token(Random random, int chars, String alphabet) {
        StringBuilder sb = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
