package io.tailaudit.server.ingest;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * This replica's {@code group.instance.id}: stable across its restarts, so a restarted replica takes its
 * partitions back at once instead of waiting for the broker to expire its old session, and unique per
 * replica, since the broker fences the older of two members that share one. Resolved once at start-up, in
 * this order:
 * <ol>
 *     <li>{@code tailaudit.ingest.instance-id} when set;</li>
 *     <li>{@code POD_NAME} when set (the Downward API's {@code metadata.name}, which a pod on the host network
 *     needs, its {@code HOSTNAME} being the node's);</li>
 *     <li>in Kubernetes ({@code KUBERNETES_SERVICE_HOST} set), the pod name ({@code HOSTNAME}): a restarted
 *     container keeps it, and a StatefulSet pod keeps it even when rescheduled;</li>
 *     <li>else {@code <host name>-<random id>}, the random id kept in a slot file
 *     {@code <state-dir>/ingest-instance-<n>.id} that this process locks while it runs: a restart (even
 *     after SIGKILL, whose lock the kernel releases) finds slot 0 free again and the same id, while a second
 *     process on the same directory takes slot 1 and another id;</li>
 *     <li>if the state directory cannot be written: none, with a warning; the consumer is then a dynamic
 *     member, and a restart after a crash waits for the old session to expire.</li>
 * </ol>
 * {@link #close()} releases the slot.
 */
final class InstanceIdentity implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InstanceIdentity.class);
    /** Kafka's rule for group.instance.id (as for topic names). */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final int MAX_SLOTS = 64;
    /**
     * Slot files this JVM holds. Locks are POSIX record locks, owned by the process: closing any channel on a
     * locked file would release this JVM's lock on it, so a file held here is never opened a second time.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Optional<String> id;
    private final String source;
    private final FileChannel slot;
    private final Path slotFile;

    private InstanceIdentity(Optional<String> id, String source, FileChannel slot, Path slotFile) {
        this.id = id;
        this.source = source;
        this.slot = slot;
        this.slotFile = slotFile;
    }

    /** Dynamic membership: no instance id. */
    static InstanceIdentity none(String why) {
        return new InstanceIdentity(Optional.empty(), why, null, null);
    }

    static InstanceIdentity resolve(Optional<String> configured, Path stateDir, Map<String, String> env) {
        if (configured.isPresent()) {
            String value = configured.get().trim();
            if (!LEGAL.matcher(value).matches()) {
                throw new IllegalArgumentException("tailaudit.ingest.instance-id must be 1-249 characters of"
                        + " [a-zA-Z0-9._-], got '" + value + "'");
            }
            return new InstanceIdentity(Optional.of(value), "tailaudit.ingest.instance-id", null, null);
        }
        // POD_NAME (the Downward API, as deploy/ sets it) first: with hostNetwork, HOSTNAME is the node's name,
        // which two replicas on one node would share
        String podName = env.get("POD_NAME");
        if (podName != null && LEGAL.matcher(podName).matches()) {
            return new InstanceIdentity(Optional.of(podName), "pod name (POD_NAME)", null, null);
        }
        String pod = env.get("HOSTNAME");
        if (env.containsKey("KUBERNETES_SERVICE_HOST") && pod != null && LEGAL.matcher(pod).matches()) {
            return new InstanceIdentity(Optional.of(pod), "pod name (HOSTNAME)", null, null);
        }
        try {
            return fromSlot(stateDir);
        } catch (IOException e) {
            LOG.warnf("ingest static membership off: no stable instance id, state_dir=%s is not writable (%s);"
                    + " set tailaudit.ingest.instance-id or tailaudit.ingest.state-dir, or a restart after a crash"
                    + " waits for session-timeout", stateDir.toAbsolutePath(), e.toString());
            return none("state dir not writable");
        }
    }

    private static InstanceIdentity fromSlot(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        for (int n = 0; n < MAX_SLOTS; n++) {
            Path file = stateDir.resolve("ingest-instance-" + n + ".id").toAbsolutePath().normalize();
            if (!HELD.add(file)) {
                continue;     // this JVM runs as this slot already
            }
            FileChannel channel = null;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    String suffix = readOrCreate(channel);
                    return new InstanceIdentity(Optional.of(legal(hostName() + "-" + suffix)), "slot file " + file,
                            channel, file);
                }
            } catch (IOException | RuntimeException e) {
                release(channel, file);
                throw e;
            }
            release(channel, file);     // another process on this directory runs as this slot
        }
        throw new IOException("all " + MAX_SLOTS + " instance slots in " + stateDir.toAbsolutePath() + " are taken");
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            return null;
        }
    }

    private static void release(FileChannel channel, Path file) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.debugf("could not release the instance slot %s: %s", file, e.toString());
        } finally {
            HELD.remove(file);
        }
    }

    private static String readOrCreate(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64);
        channel.read(buf, 0);
        String existing = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        if (existing.matches("[0-9a-f]{12}")) {
            return existing;
        }
        String fresh = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((fresh + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(true);
        return fresh;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** A host name may hold characters Kafka refuses (and be longer than it allows). */
    private static String legal(String raw) {
        String s = raw.replaceAll("[^a-zA-Z0-9._-]", "-");
        return s.length() > 249 ? s.substring(s.length() - 249) : s;
    }

    Optional<String> id() {
        return id;
    }

    /** Where the id came from, for the start-up log line. */
    String source() {
        return source;
    }

    @Override
    public void close() {
        if (slot != null) {
            release(slot, slotFile);    // the next start of this replica takes the slot again
        }
    }
}
