package io.tailaudit.server.security;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.255.1.2, true",
            "10.0.0.0/8, 11.0.0.1, false",
            "172.16.0.0/12, 172.31.255.255, true",
            "172.16.0.0/12, 172.32.0.0, false",
            "192.168.1.7, 192.168.1.7, true",
            "192.168.1.7, 192.168.1.8, false",
            "0.0.0.0/0, 8.8.8.8, true",
            "fd00::/8, fd12:3456::1, true",
            "fd00::/8, fe80::1, false",
            "fd00::/8, 10.0.0.1, false",
            "2001:db8::/33, 2001:db8:7fff::1, true",
            "2001:db8::/33, 2001:db8:8000::1, false"})
    void a_network_holds_the_addresses_under_its_prefix(String network, String address, boolean inside) {
        assertThat(Cidr.parse(network).orElseThrow().contains(Cidr.literal(address))).isEqualTo(inside);
    }

    @ParameterizedTest
    @ValueSource(strings = {"999.1.1.1", "10.0.0", "1.2.3.4.5", "intranet", "localhost", "10.0.0.1.nip.io", "", "::g"})
    void what_is_not_an_address_literal_is_not_read_and_never_looked_up(String entry) {
        assertThat(Cidr.literal(entry)).isNull();
        assertThat(Cidr.parse(entry)).isEmpty();
        assertThat(Cidr.parse(entry + "/8")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "fd00::/129", "10.0.0.0/"})
    void a_literal_with_a_bad_prefix_length_is_an_error(String entry) {
        assertThatThrownBy(() -> Cidr.parse(entry)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(entry);
    }

    @Test
    void an_ipv4_mapped_literal_reads_as_ipv4() {
        assertThat(Cidr.literal("::ffff:10.1.2.3")).containsExactly(10, 1, 2, 3);
        assertThat(Cidr.parse("10.0.0.0/8").orElseThrow()).hasToString("10.0.0.0/8")
                .isEqualTo(Cidr.parse("10.0.0.0/8").orElseThrow());
    }
}
