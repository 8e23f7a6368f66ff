package io.tailaudit.server.trace;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * Rows in PostgreSQL's binary COPY format ({@code COPY ... FROM STDIN (FORMAT binary)}): a signature header,
 * per row a 16-bit field count, per field a 32-bit length (-1 for null) and the value in the column type's
 * binary form, big-endian; a -1 trailer. Binary because PostgreSQL then parses no numbers or timestamps and
 * ingest formats none: in a JFR profile, building the text took a quarter of the consumer thread.
 * Each value must be of its column's exact type; PostgreSQL does not convert in binary mode.
 */
final class CopyBinary {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix seconds. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    private static final int JSONB_VERSION = 1;

    private byte[] buf;
    private int len;

    CopyBinary(int expectedBytes) {
        buf = new byte[Math.max(64, expectedBytes)];
        write(SIGNATURE, 0, SIGNATURE.length);
        raw4(0);             // flags: no OIDs
        raw4(0);             // header extension length
    }

    CopyBinary row(int fields) {
        ensure(2);
        buf[len++] = (byte) (fields >>> 8);
        buf[len++] = (byte) fields;
        return this;
    }

    CopyBinary text(String s) {
        if (s == null) {
            return nul();
        }
        // lone surrogates become '?', as the driver's text COPY encodes them
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        raw4(b.length);
        write(b, 0, b.length);
        return this;
    }

    CopyBinary int4(Integer v) {
        if (v == null) {
            return nul();
        }
        raw4(4);
        raw4(v.intValue());
        return this;
    }

    CopyBinary int8(long v) {
        raw4(8);
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[len++] = (byte) (v >>> shift);
        }
        return this;
    }

    CopyBinary float8(Double v) {
        return v == null ? nul() : float8(v.doubleValue());
    }

    CopyBinary float8(double v) {
        long bits = Double.doubleToRawLongBits(v);
        raw4(8);
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[len++] = (byte) (bits >>> shift);
        }
        return this;
    }

    CopyBinary bool(boolean v) {
        raw4(1);
        ensure(1);
        buf[len++] = (byte) (v ? 1 : 0);
        return this;
    }

    /** int64 microseconds since 2000-01-01 UTC, rounded as PostgreSQL rounds the text it would have read. */
    CopyBinary timestamptz(Instant t) {
        if (t == null) {
            return nul();
        }
        return int8((t.getEpochSecond() - PG_EPOCH_SECONDS) * 1_000_000L + micros(t.getNano()));
    }

    /**
     * The fraction's microseconds as timestamptz input computes them from the digits text COPY sends
     * ({@code Instant.toString()}): {@code rint(strtod(".nnnnnnnnn") * 1e6)}. nanos / 1e9 is the same double
     * as strtod's (both are the correctly rounded quotient), so binary and text store the same instant.
     */
    static long micros(int nanos) {
        return (long) Math.rint(nanos / 1e9 * 1e6);
    }

    /** jsonb: a version byte, then the JSON text; null or empty maps are stored as NULL. */
    CopyBinary jsonb(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return nul();
        }
        byte[] b = json(map).getBytes(StandardCharsets.UTF_8);
        raw4(b.length + 1);
        ensure(1);
        buf[len++] = JSONB_VERSION;
        write(b, 0, b.length);
        return this;
    }

    /**
     * The map as a JSON object, character for character what Jackson's {@code writeValueAsString} writes: its
     * escapes {@code \" \\ \b \t \n \f \r}, other control characters as backslash, u, 00 and two upper-case hex
     * digits, nothing else escaped. Written here because Jackson's map serializer took a sixteenth of the consumer
     * thread; {@code CopyBinaryProperties} holds it to Jackson's output.
     */
    static String json(Map<String, String> map) {
        StringBuilder sb = new StringBuilder(16 * map.size() + 2).append('{');
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            quoted(sb, e.getKey()).append(':');
            if (e.getValue() == null) {
                sb.append("null");
            } else {
                quoted(sb, e.getValue());
            }
        }
        return sb.append('}').toString();
    }

    private static StringBuilder quoted(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\f' -> sb.append("\\f");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /** The rows with the trailer, ready to stream; this builder is done. */
    byte[] finish() {
        ensure(2);
        buf[len++] = (byte) 0xff;
        buf[len++] = (byte) 0xff;
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    static InputStream stream(byte[] rows) {
        return new ByteArrayInputStream(rows);
    }

    private CopyBinary nul() {
        raw4(-1);
        return this;
    }

    private void raw4(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void write(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
