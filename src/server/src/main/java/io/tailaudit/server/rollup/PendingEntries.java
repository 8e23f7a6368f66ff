package io.tailaudit.server.rollup;

import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import io.tailaudit.server.tail.Bytes;
import io.tailaudit.server.tail.ByteWriter;
import io.tailaudit.server.tail.QualityHistogram;

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
    }

    private record Deployment(String kind, String provider, String model, String category) {
    }

    /** A payload's numbered deployments and cohorts. */
    private record Dictionary(Deployment[] deployments, RollupKey.Deployment[] keys, Cohort[] cohorts) {
    }

    /**
     * The dictionaries of the payloads one read or fold decodes, by their bytes: a fold decodes tens of
     * thousands of payloads whose dictionaries mostly repeat, and decoding each anew made a string per name
     * and hashed it again in every map the entries go into. Tasks, deployments and cohorts come back as
     * the same instances. Not thread-safe; one per read.
     */
    static final class Dictionaries {

        private record Key(byte[] bytes, int hash) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && k.hash == hash && java.util.Arrays.equals(k.bytes, bytes);
            }

            @Override
            public int hashCode() {
                return hash;
            }
        }

        private final Map<Key, Dictionary> dictionaries = new HashMap<>();
        private final Map<Object, Object> instances = new HashMap<>();

        @SuppressWarnings("unchecked")
        private <T> T same(T value) {
            return (T) instances.computeIfAbsent(value, v -> v);
        }

        String task(String task) {
            return same(task);
        }

        /** Reads the dictionary at {@code in}'s position, or finds the same bytes read before; moves past it. */
        private Dictionary read(Bytes in) {
            int from = in.position();
            int deployments = in.count();
            for (int i = 0; i < 4 * deployments; i++) {
                in.skip(in.readUnsignedShort());
            }
            int cohorts = in.count();
            for (int i = 0; i < 2 * cohorts; i++) {
                in.skip(in.readUnsignedShort());
            }
            int to = in.position();
            byte[] bytes = java.util.Arrays.copyOfRange(in.array(), from, to);
            Key key = new Key(bytes, java.util.Arrays.hashCode(bytes));
            Dictionary d = dictionaries.get(key);
            if (d == null) {
                in.position(from);
                Deployment[] deps = new Deployment[in.count()];
                RollupKey.Deployment[] keys = new RollupKey.Deployment[deps.length];
                for (int i = 0; i < deps.length; i++) {
                    deps[i] = same(new Deployment(same(in.readUTF()), same(in.readUTF()), same(in.readUTF()),
                            same(in.readUTF())));
                    keys[i] = same(new RollupKey.Deployment(deps[i].kind(), deps[i].provider(), deps[i].model()));
                }
                Cohort[] cs = new Cohort[in.count()];
                for (int i = 0; i < cs.length; i++) {
                    cs[i] = same(new Cohort(same(in.readUTF()), same(in.readUTF())));
                }
                d = new Dictionary(deps, keys, cs);
                dictionaries.put(key, d);
            }
            in.position(to);
            return d;
        }
    }

    /** A histogram as the payload holds it, written by itself; the encoder puts its length before it. */
    interface Part {
        void writeTo(DataOutputStream out) throws IOException;
    }

    /** Encodes entries already encoded apart (tests; ingest writes through an {@link Encoder}). */
    static byte[] encode(List<Entry> entries) {
        Encoder encoder = new Encoder(entries.size());
        for (Entry e : entries) {
            Map<Cohort, Part> cohorts = new HashMap<>();
            e.cohorts().forEach((c, bytes) -> cohorts.put(c, out -> out.write(bytes)));
            encoder.entry(e.key(), e.category(), e.counts(), e.pricedCostUsd(), e.unpricedInputTokens(),
                    e.unpricedOutputTokens(), out -> out.write(e.quality()), e.latency(), cohorts);
        }
        return encoder.finish();
    }

    /**
     * Writes one payload: the deployments (kind, provider, model, category; '' for no category) and the
     * cohorts (dimension, value), each numbered in order; then per entry: deployment number, span code,
     * bucket in hours since the epoch, the counters as zigzag varints (a feedback correction's can be
     * negative), priced cost, unpriced tokens, quality histogram, latency sketch (length 0 for none, else
     * length + 1) and the cohorts as (number, histogram) pairs. Lengths and numbers are varints. The entries
     * are written as they come, straight from the batch's accumulators, and the numbered names before
     * them at the end: ingest encodes a payload entry for nearly every trace of a backfill.
     */
    static final class Encoder {

        private final Map<Deployment, Integer> deployments = new HashMap<>();
        private final List<Deployment> deploymentList = new ArrayList<>();
        private final Map<Cohort, Integer> cohorts = new HashMap<>();
        private final List<Cohort> cohortList = new ArrayList<>();
        private final ByteWriter body;
        private final DataOutputStream out;
        /** Where each part is written first, to learn its length. */
        private final ByteWriter part = new ByteWriter(256);
        private final DataOutputStream partOut = new DataOutputStream(part);
        private int entries;

        Encoder(int expectedEntries) {
            body = new ByteWriter(48 * expectedEntries + 64);
            out = new DataOutputStream(body);
        }

        void entry(RollupKey k, String category, long[] counts, double pricedCostUsd, long unpricedInputTokens,
                   long unpricedOutputTokens, Part quality, byte[] latency, Map<Cohort, ? extends Part> entryCohorts) {
            try {
                Deployment d = new Deployment(k.deploymentKind(), k.provider(), k.model(),
                        category == null ? "" : category);
                Integer number = deployments.putIfAbsent(d, deploymentList.size());
                if (number == null) {
                    number = deploymentList.size();
                    deploymentList.add(d);
                }
                QualityHistogram.varlong(out, number);
                out.writeByte(k.span().code.charAt(0));
                QualityHistogram.varlong(out, k.bucket().getEpochSecond() / HOUR_SECONDS);
                for (long v : counts) {
                    QualityHistogram.varlong(out, v);
                }
                out.writeDouble(pricedCostUsd);
                QualityHistogram.varlong(out, unpricedInputTokens);
                QualityHistogram.varlong(out, unpricedOutputTokens);
                part(quality);
                if (latency == null) {
                    QualityHistogram.varlong(out, 0);
                } else {
                    QualityHistogram.varlong(out, latency.length + 1);
                    out.write(latency);
                }
                QualityHistogram.varlong(out, entryCohorts.size());
                for (Map.Entry<Cohort, ? extends Part> c : entryCohorts.entrySet()) {
                    Integer n = cohorts.putIfAbsent(c.getKey(), cohortList.size());
                    if (n == null) {
                        n = cohortList.size();
                        cohortList.add(c.getKey());
                    }
                    QualityHistogram.varlong(out, n);
                    part(c.getValue());
                }
                entries++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void part(Part p) throws IOException {
            part.reset();
            p.writeTo(partOut);
            QualityHistogram.varlong(out, part.size());
            part.copyTo(out);
        }

        int entries() {
            return entries;
        }

        /** The payload: the format, the numbered names, the entries. */
        byte[] finish() {
            ByteWriter bytes = new ByteWriter(body.size() + 32 * (deploymentList.size() + cohortList.size()) + 16);
            try (DataOutputStream head = new DataOutputStream(bytes)) {
                head.writeByte(FORMAT);
                QualityHistogram.varlong(head, deploymentList.size());
                for (Deployment d : deploymentList) {
                    head.writeUTF(d.kind());
                    head.writeUTF(d.provider());
                    head.writeUTF(d.model());
                    head.writeUTF(d.category());
                }
                QualityHistogram.varlong(head, cohortList.size());
                for (Cohort c : cohortList) {
                    head.writeUTF(c.dimension());
                    head.writeUTF(c.value());
                }
                QualityHistogram.varlong(head, entries);
                body.copyTo(head);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }
    }

    /** Reads what {@link #encode} wrote for {@code task}, every entry whole (tests; readers use {@link Cursor}). */
    static List<Entry> decode(String task, byte[] payload) {
        Cursor cursor = new Cursor(task, payload);
        List<Entry> entries = new ArrayList<>();
        try {
            while (cursor.next()) {
                entries.add(cursor.entry());
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a pending rollup payload", e);
        }
        return entries;
    }

    /**
     * Reads a payload entry by entry without copying it apart: a reader looks at each entry's key, then adds
     * the entry to a delta, or several, or moves on, and decodes only the parts it keeps (a task list skips
     * the latency sketch and the cohorts). Throws {@link IllegalArgumentException} on a malformed payload.
     */
    static final class Cursor {

        private final String task;
        private final Bytes in;
        private final Deployment[] deployments;
        private final RollupKey.Deployment[] deploymentKeys;
        private final Cohort[] cohorts;
        private final long[] counts = new long[RollupDelta.COUNTS];
        private int remaining;
        private Deployment deployment;
        private int deploymentIndex;
        private RollupKey.Span span;
        private Instant bucket;
        /** Where the current entry's values start, and where it ends (-1 until known). */
        private int body;
        private int end = -1;

        Cursor(String task, byte[] payload) {
            this(task, payload, new Dictionaries());
        }

        /** A cursor that takes the payload's deployments and cohorts from {@code known} once decoded there. */
        Cursor(String task, byte[] payload, Dictionaries known) {
            this.task = known.task(task);
            this.in = new Bytes(payload);
            try {
                byte format = (byte) in.u8();
                if (format != FORMAT) {
                    throw new IllegalArgumentException("unknown pending rollup format " + format);
                }
                Dictionary d = known.read(in);
                deployments = d.deployments();
                deploymentKeys = d.keys();
                cohorts = d.cohorts();
                remaining = in.count();
                end = in.position();
            } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
                throw new IllegalArgumentException("not a pending rollup payload", e);
            }
        }

        /** Moves to the next entry; false past the last. */
        boolean next() {
            try {
                if (end < 0) {
                    skipBody();
                }
                in.position(end);
                if (remaining == 0) {
                    if (in.hasRemaining()) {
                        throw new IllegalArgumentException("not a pending rollup payload: bytes after the last entry");
                    }
                    return false;
                }
                remaining--;
                deploymentIndex = in.count();
                deployment = deployments[deploymentIndex];
                span = RollupKey.Span.of(String.valueOf((char) in.u8()));
                bucket = Instant.ofEpochSecond(in.varlong() * HOUR_SECONDS);
                body = in.position();
                end = -1;
                return true;
            } catch (IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("not a pending rollup payload", e);
            }
        }

        RollupKey.Span span() {
            return span;
        }

        Instant bucket() {
            return bucket;
        }

        String task() {
            return task;
        }

        /** The entry's deployment, the same instance for every entry of it. */
        RollupKey.Deployment deployment() {
            return deploymentKeys[deploymentIndex];
        }

        RollupKey key() {
            return new RollupKey(task, deployment.kind(), deployment.provider(), deployment.model(), span, bucket);
        }

        /** Adds the entry to {@code d}: the cohorts {@code keep} accepts, the latency sketch only when asked. */
        void addTo(RollupDelta d, Predicate<Cohort> keep, boolean withLatency) {
            try {
                in.position(body);
                if (!deployment.category().isEmpty()) {
                    d.category = deployment.category();
                }
                for (int c = 0; c < counts.length; c++) {
                    counts[c] = in.varlong();
                }
                d.addCounts(counts);
                d.pricedCostUsd += in.readDouble();
                d.unpricedInputTokens += in.varlong();
                d.unpricedOutputTokens += in.varlong();
                int quality = in.count();
                if (quality > 0) {
                    d.quality().mergeEncoded(in, in.position() + quality);
                }
                int latency = in.count();
                if (latency > 0) {
                    if (withLatency) {
                        d.latency().decodeAndMergeWith(ByteArrayInput.wrap(in.array(), in.position(), latency - 1));
                    }
                    in.skip(latency - 1);
                }
                int m = in.count();
                for (int i = 0; i < m; i++) {
                    Cohort c = cohorts[in.count()];
                    int length = in.count();
                    if (keep.test(c)) {
                        Cohort.mergeEncoded(c, in, in.position() + length, d.cohorts);
                    } else {
                        in.skip(length);
                    }
                }
                end = in.position();
            } catch (IndexOutOfBoundsException | java.io.IOException e) {
                throw new IllegalArgumentException("not a pending rollup payload", e);
            }
        }

        private void skipBody() {
            in.position(body);
            for (int c = 0; c < RollupDelta.COUNTS; c++) {
                in.varlong();
            }
            in.skip(8);
            in.varlong();
            in.varlong();
            in.skip(in.count());
            int latency = in.count();
            if (latency > 0) {
                in.skip(latency - 1);
            }
            int m = in.count();
            for (int i = 0; i < m; i++) {
                in.count();
                in.skip(in.count());
            }
            end = in.position();
        }

        /** The current entry whole, its histograms and sketch still encoded. */
        private Entry entry() {
            in.position(body);
            long[] values = new long[RollupDelta.COUNTS];
            for (int c = 0; c < values.length; c++) {
                values[c] = in.varlong();
            }
            double priced = in.readDouble();
            long unpricedIn = in.varlong();
            long unpricedOut = in.varlong();
            byte[] quality = bytes(in.count());
            int latencyLength = in.count();
            byte[] latency = latencyLength == 0 ? null : bytes(latencyLength - 1);
            int m = in.count();
            Map<Cohort, byte[]> entryCohorts = new HashMap<>(m * 2);
            for (int c = 0; c < m; c++) {
                entryCohorts.put(cohorts[in.count()], bytes(in.count()));
            }
            end = in.position();
            return new Entry(key(), deployment.category().isEmpty() ? null : deployment.category(), values, priced,
                    unpricedIn, unpricedOut, quality, latency, entryCohorts);
        }

        private byte[] bytes(int n) {
            int from = in.position();
            in.skip(n);
            return java.util.Arrays.copyOfRange(in.array(), from, from + n);
        }
    }
}
