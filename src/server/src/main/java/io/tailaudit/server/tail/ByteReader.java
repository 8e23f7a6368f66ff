package io.tailaudit.server.tail;

import java.io.InputStream;

/**
 * An {@link InputStream} over a byte array without {@link java.io.ByteArrayInputStream}'s locking: decoding
 * rollups reads millions of bytes one at a time through a {@link java.io.DataInputStream}, and an
 * uncontended lock per byte was most of the cost.
 */
public final class ByteReader extends InputStream {

    private final byte[] bytes;
    private int pos;

    public ByteReader(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public int read() {
        return pos < bytes.length ? bytes[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (pos >= bytes.length) {
            return -1;
        }
        int n = Math.min(len, bytes.length - pos);
        System.arraycopy(bytes, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long k = Math.max(0, Math.min(n, bytes.length - pos));
        pos += (int) k;
        return k;
    }

    @Override
    public int available() {
        return bytes.length - pos;
    }
}
