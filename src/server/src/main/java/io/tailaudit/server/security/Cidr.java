package io.tailaudit.server.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code fd00::/8}, or one address), read from configuration. Only
 * address literals are read: a host name is never looked up, and neither is a dotted quad that is not an address
 * ({@code 999.1.1.1}, which {@link InetAddress#getByName} would send to DNS).
 */
public record Cidr(byte[] network, int prefix) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

    public Cidr {
        network = network.clone();
    }

    /**
     * The network {@code entry} names: an address literal with an optional {@code /prefix} (none: the address
     * alone); empty when {@code entry} is not an address literal (a host name, say). Throws
     * {@link IllegalArgumentException} for a literal with a prefix length that is not a number of 0 to its width.
     */
    public static Optional<Cidr> parse(String entry) {
        int slash = entry.indexOf('/');
        byte[] address = literal(slash < 0 ? entry : entry.substring(0, slash));
        if (address == null) {
            return Optional.empty();
        }
        int max = address.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? max : Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + entry + "' has no valid prefix length");
        }
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("'" + entry + "' has a prefix length outside 0-" + max);
        }
        return Optional.of(new Cidr(address, prefix));
    }

    /**
     * The bytes of an IP address literal (an IPv4-mapped IPv6 literal gives the IPv4 bytes), or null for anything
     * else, which is never resolved.
     */
    public static byte[] literal(String s) {
        boolean v4 = IPV4.matcher(s).matches();
        if (!v4 && !(s.indexOf(':') >= 0 && IPV6.matcher(s).matches())) {
            return null;
        }
        if (v4) {
            for (String octet : s.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(s).getAddress();      // a literal by now: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && prefix == c.prefix && Arrays.equals(network, c.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return Arrays.toString(network) + "/" + prefix;
        }
    }
}
