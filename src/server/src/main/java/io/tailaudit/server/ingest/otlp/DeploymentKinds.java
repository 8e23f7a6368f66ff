package io.tailaudit.server.ingest.otlp;

import io.tailaudit.server.security.Cidr;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Local or cloud, from a span's provider and {@code server.address}, by the tables in {@link OtlpConfig}:
 * an address the team's own network serves is local whatever the provider (an OpenAI-compatible client
 * pointed at a vLLM), else the provider's table decides, else a public address is a hosted API. Host names
 * are matched as text and never resolved.
 */
final class DeploymentKinds {

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
                localNetworks.add(network(a));
            } else {
                hosts.add(a);
            }
        }
        this.localHosts = Set.copyOf(hosts);
    }

    private static Cidr network(String entry) {
        try {
            return Cidr.parse(entry).orElseThrow(() -> new IllegalArgumentException("not an address literal"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tailaudit.otlp.local-addresses: not a CIDR: " + entry + " ("
                    + e.getMessage() + ")");
        }
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
        byte[] ip = Cidr.literal(a);
        if (ip != null) {
            for (Cidr c : localNetworks) {
                if (c.contains(ip)) {
                    return true;
                }
            }
        }
        return false;
    }
}
