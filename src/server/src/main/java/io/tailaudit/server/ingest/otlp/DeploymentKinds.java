package io.tailaudit.server.ingest.otlp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Local or cloud, from a span's provider and {@code server.address}, by the tables in {@link OtlpConfig}:
 * an address the team's own network serves is local whatever the provider (an OpenAI-compatible client
 * pointed at a vLLM), else the provider's table decides, else a public address is a hosted API. Host names
 * are matched as text and never resolved.
 */
final class DeploymentKinds {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Set<String> localProviders;
    private final Set<String> cloudProviders;
    private final Set<String> localHosts;
    private final List<String> localSuffixes = new ArrayList<>();
    private final List<Cidr> localNetworks = new ArrayList<>();

    DeploymentKinds(List<String> localProviders, List<String> cloudProviders, List<String> localAddresses) {
        this.localProviders = lower(localProviders);
        this.cloudProviders = lower(cloudProviders);
        Set<String> hosts = new java.util.HashSet<>();
        for (String a : lower(localAddresses)) {
            if (a.startsWith("*.")) {
                localSuffixes.add(a.substring(1));
            } else if (a.contains("/")) {
                localNetworks.add(Cidr.parse(a));
            } else {
                hosts.add(a);
            }
        }
        this.localHosts = Set.copyOf(hosts);
    }

    private static Set<String> lower(List<String> values) {
        return values.stream().map(v -> v.trim().toLowerCase(Locale.ROOT)).filter(v -> !v.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** "local", "cloud", or null when neither table nor the address says. */
    String kindOf(String provider, String serverAddress) {
        if (serverAddress != null && isLocalAddress(serverAddress)) {
            return "local";
        }
        String p = provider == null ? null : provider.trim().toLowerCase(Locale.ROOT);
        if (p != null && localProviders.contains(p)) {
            return "local";
        }
        if (p != null && cloudProviders.contains(p)) {
            return "cloud";
        }
        if (serverAddress != null && !serverAddress.isBlank()) {
            return "cloud";          // a public address that no table calls local: a hosted API
        }
        return null;
    }

    boolean isLocalAddress(String address) {
        String a = address.trim().toLowerCase(Locale.ROOT);
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        if (localHosts.contains(a)) {
            return true;
        }
        for (String suffix : localSuffixes) {
            if (a.endsWith(suffix)) {
                return true;
            }
        }
        byte[] ip = literal(a);
        if (ip != null) {
            for (Cidr c : localNetworks) {
                if (c.contains(ip)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The bytes of an IP literal, null for a host name (which is never looked up). */
    private static byte[] literal(String a) {
        boolean v4 = IPV4.matcher(a).matches();
        if (!v4 && !(a.indexOf(':') >= 0 && a.matches("[0-9a-f:.]+"))) {
            return null;
        }
        if (v4) {
            for (String octet : a.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null;         // not a literal: getByName would look it up as a host name
                }
            }
        }
        try {
            return InetAddress.getByName(a).getAddress();      // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Cidr(byte[] network, int bits) {

        static Cidr parse(String s) {
            int slash = s.indexOf('/');
            byte[] net = literal(s.substring(0, slash));
            int bits;
            try {
                bits = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (net == null || bits < 0 || bits > net.length * 8) {
                throw new IllegalArgumentException("tailaudit.otlp.local-addresses: not a CIDR: " + s);
            }
            return new Cidr(net, bits);
        }

        boolean contains(byte[] ip) {
            if (ip.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((ip[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
