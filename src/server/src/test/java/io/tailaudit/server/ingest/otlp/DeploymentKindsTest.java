package io.tailaudit.server.ingest.otlp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Local or cloud from the provider and server.address, by the default tables. */
class DeploymentKindsTest {

    private final DeploymentKinds kinds = new DeploymentKinds(List.of("ollama", "vllm"), List.of("openai", "anthropic"),
            List.of("localhost", "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                    "fc00::/7", "*.svc.cluster.local", "*.internal"));

    @Test
    void an_address_the_team_serves_is_local_whatever_the_provider_says() {
        assertThat(kinds.kindOf("openai", "localhost")).isEqualTo("local");
        assertThat(kinds.kindOf("openai", "127.0.0.1")).isEqualTo("local");
        assertThat(kinds.kindOf("openai", "10.4.2.9")).isEqualTo("local");
        assertThat(kinds.kindOf("openai", "172.31.255.1")).isEqualTo("local");
        assertThat(kinds.kindOf("openai", "[::1]")).isEqualTo("local");
        assertThat(kinds.kindOf("openai", "fd12:3456::1")).isEqualTo("local");
        assertThat(kinds.kindOf(null, "vllm.models.svc.cluster.local")).isEqualTo("local");
        assertThat(kinds.kindOf(null, "LLM.Internal")).isEqualTo("local");
    }

    @Test
    void otherwise_the_provider_table_decides_and_a_public_address_is_a_hosted_api() {
        assertThat(kinds.kindOf("ollama", null)).isEqualTo("local");
        assertThat(kinds.kindOf("vllm", "gpu-box.example.com")).isEqualTo("local");
        assertThat(kinds.kindOf("Anthropic", null)).isEqualTo("cloud");
        assertThat(kinds.kindOf("openai", "api.openai.com")).isEqualTo("cloud");
        assertThat(kinds.kindOf("acme-llm", "llm.acme.example")).isEqualTo("cloud");
        assertThat(kinds.kindOf("acme-llm", "172.32.0.1")).as("just outside 172.16/12").isEqualTo("cloud");
        assertThat(kinds.kindOf("acme-llm", null)).as("nothing says").isNull();
        assertThat(kinds.kindOf(null, "   ")).isNull();
    }

    @Test
    void host_names_are_never_resolved_and_look_alikes_do_not_match() {
        assertThat(kinds.isLocalAddress("localhost.evil.example")).isFalse();
        assertThat(kinds.isLocalAddress("10.0.0.1.nip.io")).isFalse();
        assertThat(kinds.isLocalAddress("internal")).isFalse();
        assertThat(kinds.isLocalAddress("999.1.1.1")).isFalse();
    }

    @Test
    void a_malformed_cidr_in_the_configuration_stops_the_start_with_its_name() {
        assertThatThrownBy(() -> new DeploymentKinds(List.of(), List.of(), List.of("10.0.0.0/33")))
                .hasMessageContaining("tailaudit.otlp.local-addresses").hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> new DeploymentKinds(List.of(), List.of(), List.of("intranet/8")))
                .hasMessageContaining("not a CIDR");
    }
}
