package io.tailaudit.server.rollup;

import io.tailaudit.server.tail.QualityHistogram;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.Map;
import java.util.HashMap;
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
    /** The context cohort a what-if routes to the cloud. */
    public static final Cohort CONTEXT_OVER_8K = new Cohort(CONTEXT, OVER_8K);

    /** First byte of {@link #encode}'s format. */
    private static final byte FORMAT = 2;

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

    /**
     * Encodes a bucket's cohorts: a format byte ({@value #FORMAT}), the number of cohorts, then per cohort its
     * dimension, value and histogram. Context cohorts keep their full histogram (the <= 8k / > 8k split needs
     * failures and the quality floor); the others keep only their counts per bin ({@link
     * QualityHistogram#encodeCounts()}), all their lift needs and a quarter of the bytes, which matters
     * because the compactor rewrites a day row's cohorts on every fold.
     */
    static byte[] encode(Map<Cohort, QualityHistogram> cohorts) {
        Map<Cohort, byte[]> encoded = new HashMap<>();
        cohorts.forEach((c, h) -> encoded.put(c, c.hourly() ? HistogramCodec.encode(h) : HistogramCodec.encodeCounts(h)));
        return encodeEncoded(encoded);
    }

    /** Cohorts whose histograms are already encoded as {@link #encode} encodes them. */
    static byte[] encodeEncoded(Map<Cohort, byte[]> cohorts) {
        ByteWriter bytes = new ByteWriter(32 * cohorts.size() + 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeInt(cohorts.size());
            for (Map.Entry<Cohort, byte[]> e : cohorts.entrySet()) {
                out.writeUTF(e.getKey().dimension());
                out.writeUTF(e.getKey().value());
                out.writeShort(e.getValue().length);
                out.write(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Map<Cohort, QualityHistogram> decode(byte[] encoded) {
        Map<Cohort, QualityHistogram> cohorts = new HashMap<>();
        mergeEncoded(encoded, cohorts, c -> true);
        return cohorts;
    }

    /** Adds one cohort's histogram, encoded as {@link #encode} encodes it, to its histogram in {@code into}. */
    static void mergeEncoded(Cohort c, byte[] histogram, Map<Cohort, QualityHistogram> into) {
        mergeEncoded(c, new Bytes(histogram), histogram.length, into);
    }

    /** The same from {@code in}'s position up to {@code end}, moving past it. */
    static void mergeEncoded(Cohort c, Bytes in, int end, Map<Cohort, QualityHistogram> into) {
        QualityHistogram target = into.computeIfAbsent(c, x -> new QualityHistogram());
        if (c.hourly()) {
            HistogramCodec.mergeEncoded(target, in, end);
        } else {
            HistogramCodec.mergeEncodedCounts(target, in, end);
        }
    }

    /**
     * Adds the encoded cohorts that {@code keep} accepts to {@code into}, without a histogram apiece. Also
     * reads the first format (no format byte, full histograms for every cohort, int lengths), which the
     * first byte tells apart: it is 0 there, the high byte of the cohort count.
     */
    static void mergeEncoded(byte[] encoded, Map<Cohort, QualityHistogram> into, Predicate<Cohort> keep) {
        if (encoded.length == 0) {
            return;
        }
        boolean counts = encoded[0] == FORMAT;
        Bytes in = new Bytes(encoded);
        try {
            if (counts) {
                in.u8();
            }
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                Cohort c = new Cohort(in.readUTF(), in.readUTF());
                int length = counts ? in.readUnsignedShort() : in.readInt();
                int end = in.position() + length;
                if (length < 0 || end > encoded.length) {
                    throw new IndexOutOfBoundsException("cohort histogram overruns the map");
                }
                if (!keep.test(c)) {
                    in.position(end);
                } else if (counts) {
                    mergeEncoded(c, in, end, into);
                } else {
                    HistogramCodec.mergeEncoded(into.computeIfAbsent(c, x -> new QualityHistogram()), in, end);
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not an encoded cohort map", e);
        }
    }
}
