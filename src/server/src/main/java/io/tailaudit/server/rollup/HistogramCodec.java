package io.tailaudit.server.rollup;

import io.tailaudit.server.tail.QualityHistogram;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The rollups' byte form of a {@link QualityHistogram}: per non-empty bin its index, the three counts as
 * zigzag varints (a feedback correction's counts can be negative) and the qe sum as a double, ~12 bytes a
 * bin; or the trace counts only, ~3 bytes a bin, all a cohort other than context needs for its lift.
 */
final class HistogramCodec {

    private HistogramCodec() {
    }

    static byte[] encode(QualityHistogram h) {
        ByteWriter bytes = new ByteWriter(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeTo(out, h);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes what {@link #encode} returns. */
    static void writeTo(DataOutputStream out, QualityHistogram h) throws IOException {
        h.forEachBin(false, (bin, all, hard, flagged, sum) -> writeBin(out, bin, all, hard, flagged, sum));
    }

    static QualityHistogram decode(byte[] encoded) {
        QualityHistogram h = new QualityHistogram();
        mergeEncoded(h, encoded);
        return h;
    }

    /** Adds what {@link #encode} wrote, without building a histogram for it. */
    static QualityHistogram mergeEncoded(QualityHistogram h, byte[] encoded) {
        return mergeEncoded(h, new Bytes(encoded), encoded.length);
    }

    /** Adds what {@link #encode} wrote, from {@code in}'s position up to {@code end}, and moves past it. */
    static QualityHistogram mergeEncoded(QualityHistogram h, Bytes in, int end) {
        try {
            while (in.position() < end) {
                h.addBin(in.u8(), in.varlong(), in.varlong(), in.varlong(), in.readDouble());
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not an encoded quality histogram", e);
        }
        if (in.position() != end) {
            throw new IllegalArgumentException("not an encoded quality histogram: it overruns its length");
        }
        return h;
    }

    static byte[] encodeCounts(QualityHistogram h) {
        ByteWriter bytes = new ByteWriter(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeCountsTo(out, h);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes what {@link #encodeCounts} returns. */
    static void writeCountsTo(DataOutputStream out, QualityHistogram h) throws IOException {
        h.forEachBin(true, (bin, all, hard, flagged, sum) -> writeCount(out, bin, all));
    }

    /** Adds the counts {@link #encodeCounts} wrote; the other figures stay as they are. */
    static QualityHistogram mergeEncodedCounts(QualityHistogram h, byte[] encoded) {
        return mergeEncodedCounts(h, new Bytes(encoded), encoded.length);
    }

    /** Adds the counts {@link #encodeCounts} wrote, from {@code in}'s position up to {@code end}. */
    static QualityHistogram mergeEncodedCounts(QualityHistogram h, Bytes in, int end) {
        try {
            while (in.position() < end) {
                h.addBinCount(in.u8(), in.varlong());
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not encoded quality counts", e);
        }
        if (in.position() != end) {
            throw new IllegalArgumentException("not encoded quality counts: they overrun their length");
        }
        return h;
    }

    /** Writes one bin in {@link #encodeCounts}'s format; bins must be written in ascending order. */
    static void writeCount(DataOutputStream out, int bin, long all) throws IOException {
        out.writeByte(bin);
        varlong(out, all);
    }

    /** Writes one bin in {@link #encode}'s format; bins must be written in ascending order. */
    static void writeBin(DataOutputStream out, int bin, long all, long hard, long flagged, double sum)
            throws IOException {
        out.writeByte(bin);
        varlong(out, all);
        varlong(out, hard);
        varlong(out, flagged);
        out.writeDouble(sum);
    }

    /** Writes {@code v} as a zigzag varint: small magnitudes, either sign, in few bytes ({@link Bytes#varlong} reads it). */
    static void varlong(DataOutputStream out, long v) throws IOException {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            out.writeByte((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.writeByte((int) z);
    }
}
