package io.tailaudit.server.embedded;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Map;
import java.util.Set;

/**
 * The embedded demo's settings ({@link DemoAccess#settings()}), present only once {@link TailAuditMain} has
 * started the embedded platform in this JVM. Its ordinal (200) is below every source a user sets
 * (application.properties 250, {@code config/application.properties} 260, {@code .env} 295, environment 300,
 * system properties 400), so a key the user gave anywhere wins over the demo's.
 */
public final class DemoConfigSource implements ConfigSource {

    static final int ORDINAL = 200;

    private static Map<String, String> active() {
        return Boolean.getBoolean(DemoAccess.RUNNING) ? DemoAccess.settings() : Map.of();
    }

    @Override
    public Map<String, String> getProperties() {
        return active();
    }

    @Override
    public Set<String> getPropertyNames() {
        return active().keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return active().get(propertyName);
    }

    @Override
    public String getName() {
        return "tailaudit-embedded-demo";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
