package io.tailaudit.server.rollup;

import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
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

    /** First byte of the payload; 2 added the &gt; 8k token counters, format 1 payloads still read. */
    private static final byte FORMAT = 2;
    private static final byte FORMAT_V1 = 1;
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
    }

    private record Deployment(String kind, String provider, String model, String category) {
    }

    /** A payload's numbered deployments and cohorts. */
    private record Dictionary(Deployment[] deployments, RollupKey.Deployment[] keys, Cohort[] cohorts) {
    }

    /**
     * The names of the payloads one read or fold decodes, by their bytes: a fold decodes tens of thousands of
     * payloads, each numbering the deployments and cohorts of its batch anew, and decoding each name anew
     * made a string per name and hashed it again in every map the entries go into. A deployment or cohort
     * whose bytes were seen before comes back as the same instance without being decoded. Not thread-safe;
     * one per read.
     */
    static final class Dictionaries {

        /** A run of payload bytes; {@link #probe} points it at a payload to look one up without a copy. */
        private static final class Slice {
            byte[] bytes;
            int from;
            int to;
            int hash;

            Slice probe(byte[] array, int start, int end) {
                bytes = array;
                from = start;
                to = end;
                int h = 1;
                for (int i = start; i < end; i++) {
                    h = 31 * h + array[i];
                }
                hash = h;
                return this;
            }

            Slice copy() {
                Slice s = new Slice();
                s.bytes = java.util.Arrays.copyOfRange(bytes, from, to);
                s.to = to - from;
                s.hash = hash;
                return s;
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Slice s && s.hash == hash
                        && java.util.Arrays.equals(s.bytes, s.from, s.to, bytes, from, to);
            }

            @Override
            public int hashCode() {
                return hash;
            }
        }

        private final Map<Slice, DeploymentNames> deployments = new HashMap<>();
        private final Map<Slice, Cohort> cohorts = new HashMap<>();
        private final Map<String, String> tasks = new HashMap<>();
        private final Slice probe = new Slice();

        String task(String task) {
            return tasks.computeIfAbsent(task, t -> t);
        }

        /**
         * Reads the numbered deployments and cohorts at {@code in}'s position, taking each one decoded before
         * from what it decoded then; moves past them.
         */
        private Dictionary read(Bytes in) {
            Deployment[] deps = new Deployment[in.count()];
            RollupKey.Deployment[] keys = new RollupKey.Deployment[deps.length];
            for (int i = 0; i < deps.length; i++) {
                int from = in.position();
                for (int j = 0; j < 4; j++) {
                    in.skip(in.readUnsignedShort());
                }
                DeploymentNames d = deployments.get(probe.probe(in.array(), from, in.position()));
                if (d == null) {
                    int to = in.position();
                    in.position(from);
                    Deployment deployment = new Deployment(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
                    d = new DeploymentNames(deployment, new RollupKey.Deployment(deployment.kind(),
                            deployment.provider(), deployment.model()));
                    deployments.put(probe.copy(), d);
                    in.position(to);
                }
                deps[i] = d.deployment();
                keys[i] = d.key();
            }
            Cohort[] cs = new Cohort[in.count()];
            for (int i = 0; i < cs.length; i++) {
                int from = in.position();
                in.skip(in.readUnsignedShort());
                in.skip(in.readUnsignedShort());
                Cohort c = cohorts.get(probe.probe(in.array(), from, in.position()));
                if (c == null) {
                    int to = in.position();
                    in.position(from);
                    c = new Cohort(in.readUTF(), in.readUTF());
                    cohorts.put(probe.copy(), c);
                    in.position(to);
                }
                cs[i] = c;
            }
            return new Dictionary(deps, keys, cs);
        }
    }

    /** A deployment as a payload numbers it, and as rollup keys name it. */
    private record DeploymentNames(Deployment deployment, RollupKey.Deployment key) {
    }

    /** Encodes entries already encoded apart (tests; ingest writes through an {@link Encoder}). */
    static byte[] encode(List<Entry> entries) {
        Encoder encoder = new Encoder(entries.size());
        for (Entry e : entries) {
            Map<Cohort, QualityHistogram> cohorts = new HashMap<>();
            e.cohorts().forEach((c, bytes) -> Cohort.mergeEncoded(c, bytes, cohorts));
            encoder.entry(e.key(), e.category(), e.counts(), e.pricedCostUsd(), e.unpricedInputTokens(),
                    e.unpricedOutputTokens(), HistogramCodec.decode(e.quality()), e.latency(), cohorts);
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
                   long unpricedOutputTokens, QualityHistogram quality, byte[] latency,
                   Map<Cohort, QualityHistogram> entryCohorts) {
            try {
                Deployment d = new Deployment(k.deploymentKind(), k.provider(), k.model(),
                        category == null ? "" : category);
                Integer number = deployments.putIfAbsent(d, deploymentList.size());
                if (number == null) {
                    number = deploymentList.size();
                    deploymentList.add(d);
                }
                HistogramCodec.varlong(out, number);
                out.writeByte(k.span().code.charAt(0));
                HistogramCodec.varlong(out, k.bucket().getEpochSecond() / HOUR_SECONDS);
                for (long v : counts) {
                    HistogramCodec.varlong(out, v);
                }
                out.writeDouble(pricedCostUsd);
                HistogramCodec.varlong(out, unpricedInputTokens);
                HistogramCodec.varlong(out, unpricedOutputTokens);
                part(quality, false);
                if (latency == null) {
                    HistogramCodec.varlong(out, 0);
                } else {
                    HistogramCodec.varlong(out, latency.length + 1);
                    out.write(latency);
                }
                HistogramCodec.varlong(out, entryCohorts.size());
                for (Map.Entry<Cohort, QualityHistogram> c : entryCohorts.entrySet()) {
                    Integer n = cohorts.putIfAbsent(c.getKey(), cohortList.size());
                    if (n == null) {
                        n = cohortList.size();
                        cohortList.add(c.getKey());
                    }
                    HistogramCodec.varlong(out, n);
                    part(c.getValue(), !c.getKey().hourly());
                }
                entries++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * A histogram, as {@link Cohort#encode} writes it: whole, or its counts only (null, as a day entry's
         * quality is, for none).
         */
        private void part(QualityHistogram h, boolean countsOnly) throws IOException {
            part.reset();
            if (h != null && countsOnly) {
                HistogramCodec.writeCountsTo(partOut, h);
            } else if (h != null) {
                HistogramCodec.writeTo(partOut, h);
            }
            HistogramCodec.varlong(out, part.size());
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
                HistogramCodec.varlong(head, deploymentList.size());
                for (Deployment d : deploymentList) {
                    head.writeUTF(d.kind());
                    head.writeUTF(d.provider());
                    head.writeUTF(d.model());
                    head.writeUTF(d.category());
                }
                HistogramCodec.varlong(head, cohortList.size());
                for (Cohort c : cohortList) {
                    head.writeUTF(c.dimension());
                    head.writeUTF(c.value());
                }
                HistogramCodec.varlong(head, entries);
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
        private final long[] counts;
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
                if (format != FORMAT && format != FORMAT_V1) {
                    throw new IllegalArgumentException("unknown pending rollup format " + format);
                }
                counts = new long[format == FORMAT ? RollupDelta.COUNTS : RollupDelta.COUNTS_V1];
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

        /** The entry's deployment, the same instance for every entry of it (and of its category) in one read. */
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
                    HistogramCodec.mergeEncoded(d.quality(), in, in.position() + quality);
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
            for (int c = 0; c < counts.length; c++) {
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
            for (int c = 0; c < counts.length; c++) {
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
