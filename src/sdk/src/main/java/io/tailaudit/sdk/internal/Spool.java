package io.tailaudit.sdk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The SDK's on-disk journal: serialized events appended in order to segment files, read back in order, and
 * released once Kafka acknowledged them. Positions are byte offsets over the whole journal; a segment is
 * named by the position of its first record ({@code 00000000000000000000.spool}), and {@code acked} holds
 * the position before which every event was acknowledged, so a restarted process replays from there.
 *
 * <p>A record is {@code int length, int CRC32C, short key length, key (UTF-8), value}. A crash can only
 * tear the last record of the last segment: on open, that segment is read through and cut at the first
 * record whose length or checksum does not hold. A file lock keeps a second process off the directory.
 * One thread (the sender's) uses it: not thread-safe.
 */
final class Spool implements AutoCloseable {

    static final String SUFFIX = ".spool";
    private static final int HEADER = 8;
    /** Longer records are refused: an SDK event is at most a few MB (text is cut at maxTextChars). */
    static final int MAX_RECORD = 64 * 1024 * 1024;

    /** One event read back: where it starts, where the next one starts, and its key and value. */
    record Entry(long position, long next, String key, byte[] value) {
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileChannel ackedChannel;
    private final ByteBuffer ackedBuffer = ByteBuffer.allocate(8);
    private static final int BUFFER = 256 * 1024;
    /** Appended records not written to the segment yet. */
    private ByteBuffer pending = ByteBuffer.allocate(BUFFER);
    private volatile FileChannel writer;
    private long writerStart;
    private long end;
    private long acked;
    private FileChannel reader;
    private long readerStart = -1;

    private Spool(Path dir, long maxBytes, long segmentBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l = lockChannel.tryLock();
        if (l == null) {
            lockChannel.close();
            throw new IOException("the spool " + dir + " is in use by another process (one spool per client)");
        }
        lock = l;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                try {
                    segments.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), f);
                } catch (NumberFormatException e) {
                    // not one of ours: left alone
                }
            }
        }
        if (segments.isEmpty()) {
            segments.put(0L, segment(0));
        }
        Map.Entry<Long, Path> last = segments.lastEntry();
        writerStart = last.getKey();
        writer = FileChannel.open(last.getValue(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long valid = validLength(writer);
        if (valid < writer.size()) {
            writer.truncate(valid);       // a record torn by a crash: it was never acknowledged to anyone
        }
        end = writerStart + valid;
        ackedChannel = FileChannel.open(dir.resolve("acked"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long stored = 0;
        if (ackedChannel.size() >= 8) {
            ByteBuffer b = ByteBuffer.allocate(8);
            ackedChannel.read(b, 0);
            stored = b.flip().getLong();
        }
        acked = Math.max(segments.firstKey(), Math.min(stored, end));
        writer.position(valid);
    }

    static Spool open(Path dir, long maxBytes, long segmentBytes) throws IOException {
        return new Spool(dir, maxBytes, segmentBytes);
    }

    /** The position after the last record written (appended records are written by {@link #flush}). */
    long end() {
        return end;
    }

    /** The position before which every record was acknowledged. */
    long acked() {
        return acked;
    }

    /** Bytes not acknowledged yet, buffered ones included. */
    long backlog() {
        return end + pending.position() - acked;
    }

    /**
     * Appends one record to the write buffer ({@link #flush} writes it to the segment); false when it would
     * take the journal past its size limit (nothing is taken).
     */
    boolean append(String key, byte[] value) throws IOException {
        byte[] k = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        int payload = 2 + k.length + value.length;
        if (k.length > Short.MAX_VALUE || payload > MAX_RECORD) {
            throw new IOException("an event of " + payload + " bytes is larger than the spool takes");
        }
        int size = HEADER + payload;
        long tail = end + pending.position();
        if (tail + size - segments.firstKey() > maxBytes) {
            return false;
        }
        if (tail > writerStart && tail - writerStart + size > segmentBytes) {
            flush();
            roll();
        }
        if (pending.remaining() < size) {
            flush();
            if (pending.capacity() < size) {
                pending = ByteBuffer.allocate(size);
            }
        }
        int at = pending.position();
        pending.putInt(payload).putInt(0).putShort((short) k.length).put(k).put(value);
        CRC32C crc = new CRC32C();
        crc.update(pending.array(), at + HEADER, payload);
        pending.putInt(at + 4, (int) crc.getValue());
        return true;
    }

    /** Writes the buffered records to the segment (one write for many); only then can they be read. */
    void flush() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        long written = 0;
        while (pending.hasRemaining()) {
            written += writer.write(pending);
        }
        end += written;
        pending.clear();
        if (pending.capacity() > BUFFER) {
            pending = ByteBuffer.allocate(BUFFER);
        }
    }

    /** Writes what was appended and makes it durable on the device (fsync). */
    void sync() throws IOException {
        flush();
        writer.force(false);
    }

    /**
     * {@link #sync} from another thread (the periodic fsync, which must not stall the appends): a segment
     * rolled meanwhile was forced as it closed.
     */
    void syncConcurrently() throws IOException {
        try {
            writer.force(false);
        } catch (java.nio.channels.ClosedChannelException e) {
            // rolled or closed: forced then
        }
    }

    /** Up to {@code max} records from {@code position} (a record's start) on; empty at the end. */
    List<Entry> read(long position, int max) throws IOException {
        List<Entry> out = new ArrayList<>(Math.min(max, 1024));
        long at = position;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (out.size() < max && at < end) {
            Map.Entry<Long, Path> seg = segments.floorEntry(at);
            FileChannel c = channelFor(seg.getKey(), seg.getValue());
            long offset = at - seg.getKey();
            long length = seg.getKey() == writerStart ? end - writerStart : c.size();
            if (offset >= length) {
                Long next = segments.higherKey(seg.getKey());
                if (next == null) {
                    break;
                }
                at = next;
                continue;
            }
            header.clear();
            readFully(c, header, offset);
            int payload = header.flip().getInt();
            int crc = header.getInt();
            ByteBuffer body = ByteBuffer.allocate(payload);
            readFully(c, body, offset + HEADER);
            CRC32C check = new CRC32C();
            check.update(body.array(), 0, payload);
            if ((int) check.getValue() != crc) {
                throw new IOException("the spool " + seg.getValue() + " is damaged at offset " + offset);
            }
            body.flip();
            byte[] k = new byte[body.getShort()];
            body.get(k);
            byte[] v = new byte[body.remaining()];
            body.get(v);
            long next = at + HEADER + payload;
            out.add(new Entry(at, next, k.length == 0 ? null : new String(k, StandardCharsets.UTF_8), v));
            at = next;
        }
        return out;
    }

    /**
     * Everything before {@code position} was acknowledged: records it, and deletes the segments that lie
     * wholly before it. {@code durable}: the record of it is fsynced too.
     */
    void ack(long position, boolean durable) throws IOException {
        if (position <= acked) {
            return;
        }
        acked = Math.min(position, end);
        ackedBuffer.clear();
        ackedBuffer.putLong(acked).flip();
        ackedChannel.write(ackedBuffer, 0);
        if (durable) {
            ackedChannel.force(false);
        }
        while (segments.size() > 1) {
            Map.Entry<Long, Path> first = segments.firstEntry();
            long firstEnd = segments.higherKey(first.getKey());
            if (firstEnd > acked) {
                break;
            }
            if (readerStart == first.getKey()) {
                reader.close();
                reader = null;
                readerStart = -1;
            }
            Files.deleteIfExists(first.getValue());
            segments.remove(first.getKey());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
            if (reader != null) {
                reader.close();
            }
            writer.close();
            ackedChannel.close();
        } finally {
            lock.release();
            lockChannel.close();
        }
    }

    private void roll() throws IOException {
        writer.force(false);       // a segment is complete and durable before the next one starts
        writer.close();
        writerStart = end;
        Path p = segment(end);
        writer = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        segments.put(end, p);
    }

    private Path segment(long start) {
        return dir.resolve(String.format("%020d%s", start, SUFFIX));
    }

    private FileChannel channelFor(long start, Path p) throws IOException {
        if (start == writerStart) {
            return writer;
        }
        if (readerStart != start) {
            if (reader != null) {
                reader.close();
            }
            reader = FileChannel.open(p, StandardOpenOption.READ);
            readerStart = start;
        }
        return reader;
    }

    /** The length of the segment's leading run of whole, intact records. */
    private static long validLength(FileChannel c) throws IOException {
        long size = c.size();
        long at = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (at + HEADER <= size) {
            header.clear();
            readFully(c, header, at);
            int payload = header.flip().getInt();
            int crc = header.getInt();
            if (payload < 2 || payload > MAX_RECORD || at + HEADER + payload > size) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(payload);
            readFully(c, body, at + HEADER);
            CRC32C check = new CRC32C();
            check.update(body.array(), 0, payload);
            if ((int) check.getValue() != crc) {
                break;
            }
            at += HEADER + payload;
        }
        return at;
    }

    private static void readFully(FileChannel c, ByteBuffer b, long at) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            int n = c.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of spool segment");
            }
            pos += n;
        }
    }
}
