package io.tailaudit.server.rollup;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growing byte array to write rollups into through a {@link java.io.DataOutputStream}, without
 * {@link java.io.ByteArrayOutputStream}'s lock on every byte: ingest encodes a histogram or two per trace, a
 * few bytes at a time.
 */
final class ByteWriter extends OutputStream {

    private byte[] buf;
    private int count;

    public ByteWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    @Override
    public void write(int b) {
        if (count == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (count + len > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    public int size() {
        return count;
    }

    /** Empties it, keeping its capacity. */
    public void reset() {
        count = 0;
    }

    /** Writes what it holds to {@code out}. */
    public void copyTo(OutputStream out) throws java.io.IOException {
        out.write(buf, 0, count);
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, count);
    }
}
