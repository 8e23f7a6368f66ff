package io.tailaudit.server.rollup;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads what a {@link java.io.DataOutputStream} and {@link HistogramCodec#varlong} wrote, straight from a
 * byte array at a position the caller can read and move. Decoding rollups reads millions of small values, and
 * a stream per histogram, one call per byte, was most of its cost. Reading past the end throws an
 * {@link IndexOutOfBoundsException}, which callers turn into their own "not a ... payload" error.
 */
final class Bytes {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] b;
    private int pos;

    public Bytes(byte[] b) {
        this.b = b;
    }

    public byte[] array() {
        return b;
    }

    public int position() {
        return pos;
    }

    public void position(int p) {
        if (p < 0 || p > b.length) {
            throw new IndexOutOfBoundsException(p);
        }
        pos = p;
    }

    public boolean hasRemaining() {
        return pos < b.length;
    }

    public int u8() {
        return b[pos++] & 0xFF;
    }

    /** A zigzag varint, as {@link QualityHistogram#varlong(java.io.DataOutputStream, long)} writes it. */
    public long varlong() {
        long z = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int x = b[pos++] & 0xFF;
            z |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return (z >>> 1) ^ -(z & 1);
            }
        }
        throw new IndexOutOfBoundsException("varint longer than 10 bytes at " + pos);
    }

    /** A varint that is a length or an index: 0 to {@link Integer#MAX_VALUE}. */
    public int count() {
        long v = varlong();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("bad length or index " + v);
        }
        return (int) v;
    }

    /** A big-endian double, as {@link java.io.DataOutputStream#writeDouble} writes it. */
    public double readDouble() {
        double d = Double.longBitsToDouble((long) LONG.get(b, pos));
        pos += 8;
        return d;
    }

    public int readInt() {
        int v = (b[pos] & 0xFF) << 24 | (b[pos + 1] & 0xFF) << 16 | (b[pos + 2] & 0xFF) << 8 | b[pos + 3] & 0xFF;
        pos += 4;
        return v;
    }

    public int readUnsignedShort() {
        int v = (b[pos] & 0xFF) << 8 | b[pos + 1] & 0xFF;
        pos += 2;
        return v;
    }

    /** Moves past {@code n} bytes. */
    public void skip(int n) {
        if (n < 0 || n > b.length - pos) {
            throw new IndexOutOfBoundsException("cannot skip " + n + " bytes at " + pos + " of " + b.length);
        }
        pos += n;
    }

    /** What {@link java.io.DataOutputStream#writeUTF} wrote: a length, then modified UTF-8 (ASCII read directly). */
    public String readUTF() {
        int start = pos;
        int n = readUnsignedShort();
        skip(n);
        for (int i = start + 2; i < pos; i++) {
            if (b[i] <= 0) {       // beyond ASCII, or the two-byte NUL of modified UTF-8
                try {
                    return new DataInputStream(new ByteArrayInputStream(b, start, n + 2)).readUTF();
                } catch (IOException e) {
                    throw new IndexOutOfBoundsException("malformed string at " + start);
                }
            }
        }
        return new String(b, start + 2, n, StandardCharsets.ISO_8859_1);
    }
}
