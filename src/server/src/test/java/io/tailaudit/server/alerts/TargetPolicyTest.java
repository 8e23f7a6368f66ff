package io.tailaudit.server.alerts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One test per rule of {@link TargetPolicy}; names resolve through a fixed table, never DNS. */
class TargetPolicyTest {

    private static final Map<String, String> DNS = Map.of(
            "hooks.slack.com", "34.226.36.50",
            "alertmanager.monitoring.svc", "10.96.4.2",
            "am.monitoring.svc.cluster.local", "10.96.4.3",
            "rebound.example.com", "127.0.0.1",
            "sneaky.example.com", "10.1.1.1",
            "both.example.com", "34.226.36.50,169.254.169.254");

    private static TargetPolicy policy(String... allowList) {
        return new TargetPolicy(List.of(allowList), host -> {
            String ips = DNS.get(host);
            if (ips == null) {
                // literals resolve without DNS
                if (host.matches("[0-9.]+") || host.contains(":")) {
                    return new InetAddress[] {InetAddress.getByName(host)};
                }
                throw new UnknownHostException(host);
            }
            String[] parts = ips.split(",");
            InetAddress[] out = new InetAddress[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = InetAddress.getByAddress(host, InetAddress.getByName(parts[i]).getAddress());
            }
            return out;
        });
    }

    private static String refusal(TargetPolicy policy, String url) {
        TargetPolicy.Decision d = policy.check(url);
        assertThat(d).as(url).isInstanceOf(TargetPolicy.Refused.class);
        return ((TargetPolicy.Refused) d).reason();
    }

    @Test
    void a_public_https_url_is_allowed_with_the_addresses_to_connect_to() {
        TargetPolicy.Decision d = policy().check("https://hooks.slack.com/services/T0/B0/XYZ");
        assertThat(d).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(((TargetPolicy.Allowed) d).addresses()).extracting(InetAddress::getHostAddress)
                .containsExactly("34.226.36.50");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://hooks.slack.com/x", "file:///etc/passwd", "gopher://10.0.0.1/"})
    void only_http_and_https_are_allowed(String url) {
        assertThat(refusal(policy(), url)).contains("http(s)");
    }

    @Test
    void credentials_before_the_host_are_refused() {
        assertThat(refusal(policy(), "https://hooks.slack.com@169.254.169.254/")).contains("credentials");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:8080/", "http://LOCALHOST./", "http://api.localhost/",
            "http://metadata.google.internal/computeMetadata/v1/", "http://metadata/", "http://instance-data/"})
    void names_of_this_machine_and_of_metadata_services_are_refused_even_when_listed(String url) {
        assertThat(refusal(policy("localhost", "metadata.google.internal", "127.0.0.0/8"), url))
                .contains("this machine or a cloud metadata service");
    }

    @Test
    void a_host_that_does_not_resolve_is_refused() {
        assertThat(refusal(policy(), "https://no-such-host.example/")).contains("does not resolve");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://169.254.169.254/latest/meta-data/", "http://169.254.1.1/", "http://0.0.0.0:8080/",
            "http://[::]/", "http://[fe80::1]/", "http://[fd00:ec2::254]/", "http://100.100.100.200/",
            "http://224.0.0.1/", "http://255.255.255.255/", "http://[ff02::1]/",
            "http://[::ffff:169.254.169.254]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a9fe:a9fe::1]/"})
    void link_local_metadata_unspecified_and_multicast_addresses_are_refused_whatever_the_allow_list(String url) {
        assertThat(refusal(policy("0.0.0.0/0", "::/0"), url)).contains("never a notification target");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9093/", "http://127.8.9.10/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
            "http://rebound.example.com/"})
    void loopback_is_refused_without_a_listed_cidr(String url) {
        assertThat(refusal(policy("10.0.0.0/8", "rebound.example.com"), url)).contains("a loopback address");
    }

    @Test
    void loopback_is_allowed_when_a_listed_cidr_contains_it_and_only_that_one() {
        TargetPolicy p = policy("127.0.0.1/32");
        assertThat(p.check("http://127.0.0.1:9093/")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(p.check("http://[::ffff:127.0.0.1]:9093/")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(refusal(p, "http://127.0.0.2:9093/")).contains("a loopback address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/",
            "http://100.64.0.1/", "http://[fd12:3456::1]/", "http://[::ffff:10.0.0.1]/", "http://sneaky.example.com/"})
    void private_addresses_are_refused_unless_listed(String url) {
        assertThat(refusal(policy(), url)).contains("a private address");
    }

    @Test
    void a_private_address_is_allowed_when_a_listed_cidr_contains_it() {
        TargetPolicy p = policy("10.96.0.0/12", "fd12::/16");
        assertThat(p.check("http://10.96.4.2:9093/")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(p.check("http://[fd12:3456::1]/")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(refusal(p, "http://10.112.0.1/")).contains("a private address");
    }

    @Test
    void a_private_address_is_allowed_for_a_listed_host_name_or_suffix() {
        TargetPolicy p = policy("alertmanager.monitoring.svc", ".svc.cluster.local");
        assertThat(p.check("http://alertmanager.monitoring.svc:9093")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(p.check("http://am.monitoring.svc.cluster.local:9093")).isInstanceOf(TargetPolicy.Allowed.class);
        assertThat(refusal(p, "http://sneaky.example.com/")).contains("a private address");
    }

    @Test
    void a_listed_host_name_does_not_allow_loopback() {
        assertThat(refusal(policy("rebound.example.com"), "http://rebound.example.com/")).contains("a loopback address");
    }

    @Test
    void every_resolved_address_must_be_allowed() {
        assertThat(refusal(policy(), "https://both.example.com/")).contains("169.254.169.254");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/x", "not a host!", "fd00::/129", "999.1.1.1", "10.0.0/8"})
    void a_bad_allow_list_entry_stops_the_start_naming_the_key(String entry) {
        assertThatThrownBy(() -> policy(entry)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tailaudit.alerts.allowed-private-targets: '" + entry + "'");
    }
}
