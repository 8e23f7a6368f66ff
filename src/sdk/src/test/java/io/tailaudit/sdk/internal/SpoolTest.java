package io.tailaudit.sdk.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The on-disk journal on a real file system: order, segments, release, torn tails, limits, one owner. */
class SpoolTest {

    private static final long MB = 1024 * 1024;

    @TempDir
    Path dir;

    private static byte[] value(int i) {
        return ("{\"trace_id\":\"t-" + i + "\",\"pad\":\"" + "x".repeat(200) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static List<Spool.Entry> readAll(Spool s, long from) throws IOException {
        List<Spool.Entry> out = new ArrayList<>();
        long at = from;
        while (true) {
            List<Spool.Entry> page = s.read(at, 100);
            if (page.isEmpty()) {
                return out;
            }
            out.addAll(page);
            at = page.get(page.size() - 1).next();
        }
    }

    private long segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(Spool.SUFFIX)).count();
        }
    }

    @Test
    void records_come_back_in_order_across_segments_and_acknowledged_segments_are_deleted() throws IOException {
        try (Spool s = Spool.open(dir, 64 * MB, 64 * 1024)) {
            for (int i = 0; i < 2_000; i++) {
                assertThat(s.append("t-" + i, value(i))).isTrue();
            }
            assertThat(readAll(s, s.acked())).as("appended, not written yet").hasSizeLessThan(2_000);
            s.flush();
            List<Spool.Entry> all = readAll(s, s.acked());
            assertThat(all).hasSize(2_000);
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).key()).isEqualTo("t-" + i);
                assertThat(all.get(i).value()).isEqualTo(value(i));
            }
            long before = segments();
            assertThat(before).isGreaterThan(5);
            s.ack(all.get(1_500).position(), false);
            assertThat(segments()).isLessThan(before);
            assertThat(readAll(s, s.acked()).get(0).key()).as("a whole segment is kept until all of it is acked")
                    .isIn(all.subList(0, 1_501).stream().map(Spool.Entry::key).toList());
            s.ack(s.end(), false);
            assertThat(segments()).isEqualTo(1);
            assertThat(s.backlog()).isZero();
        }
    }

    @Test
    void a_reopened_spool_resumes_after_what_was_acknowledged() throws IOException {
        long third;
        try (Spool s = Spool.open(dir, 64 * MB, 16 * 1024)) {
            for (int i = 0; i < 300; i++) {
                s.append("t-" + i, value(i));
            }
            s.flush();
            third = readAll(s, 0).get(100).position();
            s.ack(third, true);
        }
        try (Spool s = Spool.open(dir, 64 * MB, 16 * 1024)) {
            assertThat(s.acked()).isEqualTo(third);
            List<Spool.Entry> rest = readAll(s, s.acked());
            assertThat(rest).hasSize(200);
            assertThat(rest.get(0).key()).isEqualTo("t-100");
            s.append("t-300", value(300));
            s.flush();
            assertThat(readAll(s, s.acked())).hasSize(201);
        }
    }

    @Test
    void a_record_torn_by_a_crash_is_cut_off_and_the_rest_is_kept() throws IOException {
        try (Spool s = Spool.open(dir, 64 * MB, 16 * MB)) {
            for (int i = 0; i < 10; i++) {
                s.append("t-" + i, value(i));
            }
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(Spool.SUFFIX)).findFirst().orElseThrow();
        }
        long size = Files.size(segment);
        try (FileChannel c = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            c.truncate(size - 7);                              // the last record half written
            c.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 9}), c.size());   // and a stray header start
        }
        try (Spool s = Spool.open(dir, 64 * MB, 16 * MB)) {
            List<Spool.Entry> kept = readAll(s, 0);
            assertThat(kept).hasSize(9);
            assertThat(kept.get(8).key()).isEqualTo("t-8");
            s.append("t-9", value(9));
            s.flush();
            assertThat(readAll(s, 0)).hasSize(10);
        }
        // a flipped byte ends the valid journal there, as Kafka's own log recovery does: what precedes it is kept
        try (FileChannel c = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(new byte[] {'#'}), 40);
        }
        try (Spool s = Spool.open(dir, 64 * MB, 16 * MB)) {
            assertThat(readAll(s, 0)).as("the first record is the damaged one").isEmpty();
        }
    }

    @Test
    void past_its_size_limit_the_spool_refuses_and_takes_again_once_acknowledged() throws IOException {
        try (Spool s = Spool.open(dir, MB, 64 * 1024)) {
            int taken = 0;
            while (s.append("t-" + taken, value(taken))) {
                taken++;
            }
            assertThat(taken).isBetween(3_000, 5_000);
            s.flush();
            assertThat(s.end()).isLessThanOrEqualTo(MB);
            s.ack(s.end(), false);
            assertThat(s.append("again", value(0))).isTrue();
        }
    }

    @Test
    void a_second_process_on_the_same_spool_is_refused() throws IOException {
        try (Spool s = Spool.open(dir, 64 * MB, 16 * MB)) {
            s.append("t", value(0));
            // the lock is per JVM too (OverlappingFileLockException) and per process (the OS lock)
            assertThatThrownBy(() -> Spool.open(dir, 64 * MB, 16 * MB)).isInstanceOfAny(IOException.class,
                    java.nio.channels.OverlappingFileLockException.class);
        }
        try (Spool s = Spool.open(dir, 64 * MB, 16 * MB)) {
            assertThat(readAll(s, 0)).hasSize(1);
        }
    }
}
