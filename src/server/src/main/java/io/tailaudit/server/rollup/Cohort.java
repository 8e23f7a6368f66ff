package io.tailaudit.server.rollup;

import io.tailaudit.server.tail.QualityHistogram;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A cohort of a deployment's traffic: a dimension and a value, e.g. {@code context = >8k},
 * {@code step = 3}, {@code model_version = 2025-06}, {@code tag:tenant = acme}.
 */
public record Cohort(String dimension, String value) implements Comparable<Cohort> {

    public static final String CONTEXT = "context";
    public static final String STEP = "step";
    public static final String MODEL_VERSION = "model_version";
    public static final String TAG_PREFIX = "tag:";
    /** Where values past the per-dimension cap are counted. */
    public static final String OTHER = "(other)";
    public static final java.util.Set<String> UP_TO_8K = java.util.Set.of("<=2k", "2-4k", "4-8k");
    public static final String OVER_8K = ">8k";

    private static final Comparator<Cohort> ORDER = Comparator.comparing(Cohort::dimension)
            .thenComparing(Cohort::value);

    /** DESIGN's context buckets, from {@code context_tokens}, else {@code input_tokens}. */
    public static String contextBucket(Integer contextTokens, Integer inputTokens) {
        Integer t = contextTokens != null ? contextTokens : inputTokens;
        if (t == null) {
            return "unknown";
        }
        if (t <= 2048) {
            return "<=2k";
        }
        if (t <= 4096) {
            return "2-4k";
        }
        return t <= 8192 ? "4-8k" : OVER_8K;
    }

    /** Whether this dimension is also kept per hour (the context split decides HYBRID in any window). */
    boolean hourly() {
        return CONTEXT.equals(dimension);
    }

    @Override
    public int compareTo(Cohort o) {
        return ORDER.compare(this, o);
    }

    static byte[] encode(Map<Cohort, QualityHistogram> cohorts) {
        Map<Cohort, byte[]> encoded = new TreeMap<>();
        cohorts.forEach((c, h) -> encoded.put(c, h.encode()));
        return encodeEncoded(encoded);
    }

    /** Cohorts whose histograms are already encoded ({@link QualityHistogram#encode()}'s format). */
    static byte[] encodeEncoded(Map<Cohort, byte[]> cohorts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * cohorts.size() + 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(cohorts.size());
            for (Map.Entry<Cohort, byte[]> e : cohorts.entrySet()) {
                out.writeUTF(e.getKey().dimension());
                out.writeUTF(e.getKey().value());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Map<Cohort, QualityHistogram> decode(byte[] encoded) {
        Map<Cohort, QualityHistogram> cohorts = new TreeMap<>();
        mergeEncoded(encoded, cohorts, c -> true);
        return cohorts;
    }

    /** Adds the encoded cohorts that {@code keep} accepts to {@code into}, without a histogram apiece. */
    static void mergeEncoded(byte[] encoded, Map<Cohort, QualityHistogram> into, Predicate<Cohort> keep) {
        if (encoded.length == 0) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                Cohort c = new Cohort(in.readUTF(), in.readUTF());
                byte[] h = new byte[in.readInt()];
                in.readFully(h);
                if (keep.test(c)) {
                    into.computeIfAbsent(c, x -> new QualityHistogram()).mergeEncoded(h);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not an encoded cohort map", e);
        }
    }
}
