package io.tailaudit.server.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstanceIdentityTest {

    private static final Map<String, String> KUBERNETES = Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1",
            "HOSTNAME", "tailaudit-2");

    @TempDir
    Path dir;

    @Test
    void configured_instance_id_wins_over_the_pod_name() {
        try (InstanceIdentity id = InstanceIdentity.resolve(Optional.of("ingest-eu-1"), dir, KUBERNETES)) {
            assertThat(id.id()).contains("ingest-eu-1");
        }
    }

    @Test
    void configured_instance_id_kafka_refuses_is_rejected_naming_the_key() {
        assertThatThrownBy(() -> InstanceIdentity.resolve(Optional.of("ingest eu/1"), dir, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tailaudit.ingest.instance-id").hasMessageContaining("ingest eu/1");
    }

    @Test
    void in_kubernetes_the_pod_name_is_the_instance_id() {
        try (InstanceIdentity id = InstanceIdentity.resolve(Optional.empty(), dir, KUBERNETES)) {
            assertThat(id.id()).contains("tailaudit-2");
        }
    }

    @Test
    void hostname_variable_outside_kubernetes_is_not_taken_for_a_pod_name() {
        try (InstanceIdentity id = InstanceIdentity.resolve(Optional.empty(), dir, Map.of("HOSTNAME", "tailaudit-2"))) {
            assertThat(id.id()).get().asString().isNotEqualTo("tailaudit-2");
        }
    }

    @Test
    void a_restart_on_the_same_state_dir_gets_the_same_id() {
        String first;
        try (InstanceIdentity id = InstanceIdentity.resolve(Optional.empty(), dir, Map.of())) {
            first = id.id().orElseThrow();
        }
        try (InstanceIdentity again = InstanceIdentity.resolve(Optional.empty(), dir, Map.of())) {
            assertThat(again.id()).contains(first);
        }
    }

    @Test
    void two_running_replicas_on_one_state_dir_get_different_ids() {
        try (InstanceIdentity one = InstanceIdentity.resolve(Optional.empty(), dir, Map.of());
             InstanceIdentity two = InstanceIdentity.resolve(Optional.empty(), dir, Map.of())) {
            assertThat(one.id()).isPresent();
            assertThat(two.id()).isPresent().get().isNotEqualTo(one.id().get());
        }
    }

    @Test
    void a_second_process_on_the_same_state_dir_gets_another_id() throws Exception {
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldSlot.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(other.getInputStream()))) {
            String theirs = out.lines().filter(l -> l.startsWith("id=")).findFirst().orElseThrow().substring(3);
            try (InstanceIdentity mine = InstanceIdentity.resolve(Optional.empty(), dir, Map.of())) {
                assertThat(mine.id()).isPresent().get().isNotEqualTo(theirs);
            }
        } finally {
            other.getOutputStream().close();
            other.waitFor();
        }
    }

    /** The other process: holds a slot of the directory given until its standard input closes. */
    public static final class HoldSlot {
        public static void main(String[] args) throws Exception {
            try (InstanceIdentity id = InstanceIdentity.resolve(Optional.empty(), Path.of(args[0]), Map.of())) {
                System.out.println("id=" + id.id().orElse("none"));
                System.out.flush();
                System.in.read();
            }
        }
    }

    @Test
    void replicas_on_different_state_dirs_of_one_host_get_different_ids() {
        try (InstanceIdentity one = InstanceIdentity.resolve(Optional.empty(), dir.resolve("a"), Map.of());
             InstanceIdentity two = InstanceIdentity.resolve(Optional.empty(), dir.resolve("b"), Map.of())) {
            assertThat(two.id()).isPresent().get().isNotEqualTo(one.id().orElseThrow());
        }
    }

    @Test
    void unwritable_state_dir_falls_back_to_dynamic_membership() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        try (InstanceIdentity id = InstanceIdentity.resolve(Optional.empty(), notADirectory.resolve("state"), Map.of())) {
            assertThat(id.id()).isEmpty();
        }
    }
}
