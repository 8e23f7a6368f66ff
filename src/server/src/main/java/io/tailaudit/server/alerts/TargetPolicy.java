package io.tailaudit.server.alerts;

import io.quarkus.runtime.Startup;
import io.tailaudit.server.security.Cidr;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Where a notification may be sent, so that a channel cannot make the server reach its own loopback, the
 * cloud metadata service or the internal network, nor read their answers back through {@code last_error}.
 * Checked when a channel is saved and again at every attempt, against every address the host resolves to
 * at that moment (a name that resolved to a public address at save time may resolve elsewhere later), and
 * the sender then connects to an address it checked, never resolving again. The rules, in order:
 * <ol>
 *   <li>the URL is {@code http} or {@code https}, with a host and without credentials;</li>
 *   <li>the host is not a name of the machine or of a metadata service: {@code localhost}, {@code *.localhost},
 *       {@code metadata.google.internal}, {@code metadata.goog}, {@code metadata}, {@code instance-data};</li>
 *   <li>the host resolves;</li>
 *   <li>no address is unspecified (0.0.0.0/8, ::), link-local (169.254.0.0/16, fe80::/10), a metadata address
 *       (169.254.169.254, fd00:ec2::254, 100.100.100.200, 192.0.0.192), multicast, broadcast or reserved
 *       (224.0.0.0/3, ff00::/8): never, whatever the allow-list says;</li>
 *   <li>a loopback address (127.0.0.0/8, ::1) only when a CIDR of the allow-list contains it (a host name
 *       there does not: it is for private addresses);</li>
 *   <li>a private address (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fec0::/10) only when a CIDR of
 *       the allow-list contains it, or the URL's host is one of its host names ({@code .suffix} entries
 *       match any name ending so);</li>
 *   <li>any other address is public and allowed.</li>
 * </ol>
 * IPv4 addresses written in IPv6 (mapped {@code ::ffff:a.b.c.d}, compatible {@code ::a.b.c.d}, NAT64
 * {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) are judged as the IPv4 address they carry.
 */
@Startup
@ApplicationScoped
public class TargetPolicy {

    static final String KEY = "tailaudit.alerts.allowed-private-targets";
    private static final Set<String> BLOCKED_NAMES = Set.of("localhost", "localhost.localdomain",
            "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal");

    /** Resolves a host to all its addresses, as {@link InetAddress#getAllByName} does. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Where a URL may be sent: its host and the addresses, every one allowed, to connect to; or why not. */
    public sealed interface Decision {
    }

    public record Allowed(String host, List<InetAddress> addresses) implements Decision {
        public Allowed {
            addresses = List.copyOf(addresses);
        }
    }

    public record Refused(String reason) implements Decision {
    }

    private final List<Cidr> cidrs = new ArrayList<>();
    private final List<String> hosts = new ArrayList<>();
    private final Resolver resolver;

    @Inject
    TargetPolicy(AlertsConfig config) {
        this(config.allowedPrivateTargets().orElse(List.of()), InetAddress::getAllByName);
    }

    TargetPolicy(List<String> allowList, Resolver resolver) {
        this.resolver = resolver;
        for (String raw : allowList) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            Optional<Cidr> cidr;
            try {
                cidr = Cidr.parse(entry);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(KEY + ": " + e.getMessage());
            }
            if (cidr.isPresent()) {
                cidrs.add(cidr.get());
            } else if (entry.matches("[0-9./]+") || entry.contains("/")) {
                throw new IllegalArgumentException(KEY + ": '" + raw.trim() + "' is not a valid address");
            } else if (entry.matches("\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                hosts.add(entry);
            } else {
                throw new IllegalArgumentException(KEY + ": '" + raw.trim()
                        + "' is neither a CIDR (10.0.0.0/8, fd00::/8, 10.1.2.3) nor a host name");
            }
        }
    }

    /** Judges a channel's URL now: its host resolved, every address checked. */
    public Decision check(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (java.net.URISyntaxException e) {
            return new Refused("not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return new Refused("must be an http(s) URL");
        }
        if (uri.getRawUserInfo() != null) {
            return new Refused("must not carry credentials before the host");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return new Refused("must name a host");
        }
        String host = uri.getHost();
        String name = host.toLowerCase(Locale.ROOT).replaceAll("\\.+$", "");
        boolean literal = name.startsWith("[") || name.matches("[0-9.]+");
        if (!literal && (BLOCKED_NAMES.contains(name) || name.endsWith(".localhost"))) {
            return new Refused("host " + name + " is this machine or a cloud metadata service");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(name.startsWith("[") ? name.substring(1, name.length() - 1) : name);
        } catch (UnknownHostException | SecurityException e) {
            return new Refused("host " + name + " does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            return new Refused("host " + name + " does not resolve");
        }
        boolean hostListed = !literal && hosts.stream().anyMatch(h -> h.startsWith(".") ? name.endsWith(h) : name.equals(h));
        for (InetAddress a : addresses) {
            Optional<String> why = refusal(a, hostListed);
            if (why.isPresent()) {
                return new Refused("host " + name + " resolves to " + a.getHostAddress() + ", " + why.get());
            }
        }
        return new Allowed(host, Arrays.asList(addresses));
    }

    /** Why this address may not be a target; empty when it may. */
    private Optional<String> refusal(InetAddress address, boolean hostListed) {
        byte[] v4 = ipv4(address);
        Kind kind = v4 != null ? Kind.ofIpv4(v4) : Kind.ofIpv6(address.getAddress());
        return switch (kind) {
            case BLOCKED -> Optional.of("a link-local, metadata, unspecified, multicast or reserved address,"
                    + " never a notification target");
            case LOOPBACK -> listed(address, v4) ? Optional.empty() : Optional.of(
                    "a loopback address: allowed only when a CIDR of " + KEY + " contains it");
            case PRIVATE -> hostListed || listed(address, v4) ? Optional.empty() : Optional.of(
                    "a private address: allowed only when " + KEY + " lists it or the host name");
            case PUBLIC -> Optional.empty();
        };
    }

    private boolean listed(InetAddress address, byte[] v4) {
        byte[] bytes = v4 != null ? v4 : address.getAddress();
        return cidrs.stream().anyMatch(c -> c.contains(bytes));
    }

    /** The IPv4 address an address is or carries (mapped, compatible, NAT64, 6to4); null for plain IPv6. */
    static byte[] ipv4(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return b;
        }
        if (!(address instanceof Inet6Address)) {
            return null;
        }
        boolean zero80 = true;
        for (int i = 0; i < 10; i++) {
            zero80 &= b[i] == 0;
        }
        boolean mapped = zero80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        // ::a.b.c.d, but not :: nor ::1 (nor ::0.0.0.x), which are IPv6's own unspecified and loopback
        boolean compatible = zero80 && b[10] == 0 && b[11] == 0 && !allZeroFrom(b, 12, 14);
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && allZeroFrom(b, 4, 11);
        if (mapped || compatible || nat64) {
            return Arrays.copyOfRange(b, 12, 16);
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return Arrays.copyOfRange(b, 2, 6);
        }
        return null;
    }

    /** True when bytes from..to (inclusive) are all zero. */
    private static boolean allZeroFrom(byte[] b, int from, int to) {
        for (int i = from; i <= to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    enum Kind {
        BLOCKED, LOOPBACK, PRIVATE, PUBLIC;

        static Kind ofIpv4(byte[] b) {
            int a0 = b[0] & 0xff;
            int a1 = b[1] & 0xff;
            int a2 = b[2] & 0xff;
            int a3 = b[3] & 0xff;
            if (a0 == 0 || (a0 == 169 && a1 == 254) || a0 >= 224
                    || (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200) || (a0 == 192 && a1 == 0 && a2 == 0 && a3 == 192)) {
                return BLOCKED;
            }
            if (a0 == 127) {
                return LOOPBACK;
            }
            if (a0 == 10 || (a0 == 172 && a1 >= 16 && a1 <= 31) || (a0 == 192 && a1 == 168)
                    || (a0 == 100 && a1 >= 64 && a1 <= 127)) {
                return PRIVATE;
            }
            return PUBLIC;
        }

        static Kind ofIpv6(byte[] b) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            boolean fd00ec2 = b0 == 0xfd && b1 == 0 && (b[2] & 0xff) == 0x0e && (b[3] & 0xff) == 0xc2
                    && allZeroFrom(b, 4, 13) && b[14] == 0x02 && (b[15] & 0xff) == 0x54;
            if (allZeroFrom(b, 0, 14) && b[15] == 1) {
                return LOOPBACK;
            }
            // ::/96 (unspecified and the rest of the old compatible block), multicast, link-local, AWS metadata
            if (allZeroFrom(b, 0, 11) || b0 == 0xff || (b0 == 0xfe && (b1 & 0xc0) == 0x80) || fd00ec2) {
                return BLOCKED;
            }
            if ((b0 & 0xfe) == 0xfc || (b0 == 0xfe && (b1 & 0xc0) == 0xc0)) {
                return PRIVATE;
            }
            return PUBLIC;
        }
    }
}
