package io.tailaudit.server.rollup;

import io.tailaudit.server.tail.ByteReader;
import io.tailaudit.server.tail.QualityHistogram;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The payload of a {@code tail_rollup_pending} row: what one ingest batch adds to one task's rollups, as
 * entries per deployment and bucket. An hour entry carries the counters, the quality histogram, the latency
 * sketch and the cohorts kept per hour (context); a day entry carries only the cohorts kept per day (step,
 * model version, tags), so a batch spread over many hours writes those once per day rather than per hour.
 * A batch of traces at random times over days holds an entry for nearly every trace, so the encoding is
 * compact: deployments and cohorts are written once per payload and referred to by index.
 */
final class PendingEntries {

    /** First byte of the payload. */
    private static final byte FORMAT = 1;
    private static final long HOUR_SECONDS = 3600;

    private PendingEntries() {
    }

    /**
     * One entry, its histograms and sketch still encoded: quality as {@link QualityHistogram#encode()}, the
     * latency sketch in the library's encoding without its index mapping (every rollup sketch has the same,
     * {@link RollupDelta#LATENCY_ACCURACY}), cohorts as {@link Cohort#encode} encodes each histogram.
     */
    record Entry(RollupKey key, String category, long[] counts, double pricedCostUsd, long unpricedInputTokens,
                 long unpricedOutputTokens, byte[] quality, byte[] latency, Map<Cohort, byte[]> cohorts) {

        /** A day entry: only cohorts. */
        static Entry cohortsOnly(RollupKey day, Map<Cohort, byte[]> cohorts) {
            return new Entry(day, null, new long[RollupDelta.COUNTS], 0, 0, 0, new byte[0], null, cohorts);
        }

        /** Adds this entry to {@code d}: the cohorts {@code keep} accepts, the latency sketch only when asked. */
        void addTo(RollupDelta d, Predicate<Cohort> keep, boolean withLatency) throws java.sql.SQLException {
            RollupDeltas.add(d, category, counts, pricedCostUsd, unpricedInputTokens, unpricedOutputTokens, quality,
                    withLatency ? latency : null, null, keep);
            cohorts.forEach((c, h) -> {
                if (keep.test(c)) {
                    Cohort.mergeEncoded(c, h, d.cohorts);
                }
            });
        }
    }

    private record Deployment(String kind, String provider, String model, String category) {
    }

    /**
     * The deployments (kind, provider, model, category; '' for no category) and the cohorts (dimension,
     * value), each numbered in order; then per entry: deployment number, span code, bucket in hours since
     * the epoch, the counters as zigzag varints (a feedback correction's can be negative), priced cost,
     * unpriced tokens, quality histogram, latency sketch (length 0 for none, else length + 1) and the
     * cohorts as (number, histogram) pairs. Lengths and numbers are varints.
     */
    static byte[] encode(List<Entry> entries) {
        Map<Deployment, Integer> deployments = new HashMap<>();
        Map<Cohort, Integer> cohorts = new HashMap<>();
        List<Deployment> deploymentList = new ArrayList<>();
        List<Cohort> cohortList = new ArrayList<>();
        for (Entry e : entries) {
            RollupKey k = e.key();
            Deployment d = new Deployment(k.deploymentKind(), k.provider(), k.model(),
                    e.category() == null ? "" : e.category());
            if (deployments.putIfAbsent(d, deploymentList.size()) == null) {
                deploymentList.add(d);
            }
            for (Cohort c : e.cohorts().keySet()) {
                if (cohorts.putIfAbsent(c, cohortList.size()) == null) {
                    cohortList.add(c);
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * entries.size() + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            QualityHistogram.varlong(out, deploymentList.size());
            for (Deployment d : deploymentList) {
                out.writeUTF(d.kind());
                out.writeUTF(d.provider());
                out.writeUTF(d.model());
                out.writeUTF(d.category());
            }
            QualityHistogram.varlong(out, cohortList.size());
            for (Cohort c : cohortList) {
                out.writeUTF(c.dimension());
                out.writeUTF(c.value());
            }
            QualityHistogram.varlong(out, entries.size());
            for (Entry e : entries) {
                RollupKey k = e.key();
                QualityHistogram.varlong(out, deployments.get(new Deployment(k.deploymentKind(), k.provider(),
                        k.model(), e.category() == null ? "" : e.category())));
                out.writeByte(k.span().code.charAt(0));
                QualityHistogram.varlong(out, k.bucket().getEpochSecond() / HOUR_SECONDS);
                for (long v : e.counts()) {
                    QualityHistogram.varlong(out, v);
                }
                out.writeDouble(e.pricedCostUsd());
                QualityHistogram.varlong(out, e.unpricedInputTokens());
                QualityHistogram.varlong(out, e.unpricedOutputTokens());
                bytes(out, e.quality());
                if (e.latency() == null) {
                    QualityHistogram.varlong(out, 0);
                } else {
                    QualityHistogram.varlong(out, e.latency().length + 1);
                    out.write(e.latency());
                }
                QualityHistogram.varlong(out, e.cohorts().size());
                for (Map.Entry<Cohort, byte[]> c : e.cohorts().entrySet()) {
                    QualityHistogram.varlong(out, cohorts.get(c.getKey()));
                    bytes(out, c.getValue());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #encode} wrote for {@code task}. */
    static List<Entry> decode(String task, byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteReader(payload))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown pending rollup format " + format);
            }
            Deployment[] deployments = new Deployment[count(in)];
            for (int i = 0; i < deployments.length; i++) {
                deployments[i] = new Deployment(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
            }
            Cohort[] cohorts = new Cohort[count(in)];
            for (int i = 0; i < cohorts.length; i++) {
                cohorts[i] = new Cohort(in.readUTF(), in.readUTF());
            }
            int n = count(in);
            List<Entry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Deployment d = deployments[count(in)];
                RollupKey.Span span = RollupKey.Span.of(String.valueOf((char) in.readByte()));
                Instant bucket = Instant.ofEpochSecond(QualityHistogram.varlong(in) * HOUR_SECONDS);
                long[] counts = new long[RollupDelta.COUNTS];
                for (int c = 0; c < counts.length; c++) {
                    counts[c] = QualityHistogram.varlong(in);
                }
                double priced = in.readDouble();
                long unpricedIn = QualityHistogram.varlong(in);
                long unpricedOut = QualityHistogram.varlong(in);
                byte[] quality = bytes(in);
                int latencyLength = count(in);
                byte[] latency = latencyLength == 0 ? null : exactly(in, latencyLength - 1);
                int m = count(in);
                Map<Cohort, byte[]> entryCohorts = new HashMap<>(m * 2);
                for (int c = 0; c < m; c++) {
                    entryCohorts.put(cohorts[count(in)], bytes(in));
                }
                entries.add(new Entry(new RollupKey(task, d.kind(), d.provider(), d.model(), span, bucket),
                        d.category().isEmpty() ? null : d.category(), counts, priced, unpricedIn, unpricedOut,
                        quality, latency, entryCohorts));
            }
            return entries;
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a pending rollup payload", e);
        }
    }

    private static int count(DataInputStream in) throws IOException {
        long v = QualityHistogram.varlong(in);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IOException("bad length or index " + v);
        }
        return (int) v;
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        QualityHistogram.varlong(out, b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        return exactly(in, count(in));
    }

    private static byte[] exactly(DataInputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new java.io.EOFException();
        }
        return b;
    }
}
