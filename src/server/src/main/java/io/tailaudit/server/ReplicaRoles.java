package io.tailaudit.server;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What this replica runs: {@code tailaudit.roles} ({@code TAILAUDIT_ROLES}), any of {@code ingest} (the
 * trace consumer, OTLP in, partitions, rollup folding, the ledger checks), {@code index} (search and scope
 * drift), {@code api} (the JSON API and the console) and {@code alerts} (rule evaluation and delivery);
 * all four by default. The factory turns the list into each role's switch
 * ({@code tailaudit.<role>.enabled}), below every source a user sets, so an explicit switch still wins; the
 * bean refuses a list naming anything else and logs what runs.
 */
@ApplicationScoped
public class ReplicaRoles {

    public static final String PROPERTY = "tailaudit.roles";
    static final List<String> ALL = List.of("ingest", "index", "api", "alerts");
    /** Below application.properties (250) and everything above it; above the mappings' defaults. */
    static final int ORDINAL = 150;

    private static final Logger LOG = Logger.getLogger(ReplicaRoles.class);

    private final String configured;

    ReplicaRoles(@ConfigProperty(name = PROPERTY, defaultValue = "ingest,index,api,alerts") String configured) {
        this.configured = configured;
    }

    void onStart(@Observes StartupEvent event, @ConfigProperty(name = "tailaudit.ingest.enabled") boolean ingest,
                 @ConfigProperty(name = "tailaudit.index.enabled") boolean index,
                 @ConfigProperty(name = "tailaudit.api.enabled", defaultValue = "true") boolean api,
                 @ConfigProperty(name = "tailaudit.alerts.enabled") boolean alerts) {
        parse(configured);
        List<String> running = new ArrayList<>();
        if (ingest) {
            running.add("ingest");
        }
        if (index) {
            running.add("index");
        }
        if (api) {
            running.add("api");
        }
        if (alerts) {
            running.add("alerts");
        }
        LOG.infof("replica roles: %s (tailaudit.roles=%s)", running.isEmpty() ? "none" : String.join(",", running),
                configured);
    }

    /** The roles a list names; an unknown or empty one is refused with the setting's name. */
    static Set<String> parse(String list) {
        Set<String> roles = new LinkedHashSet<>();
        for (String r : list.split(",")) {
            String role = r.trim().toLowerCase(Locale.ROOT);
            if (role.isEmpty()) {
                continue;
            }
            if (!ALL.contains(role)) {
                throw new IllegalArgumentException(PROPERTY + " names an unknown role '" + role + "': use any of "
                        + String.join(", ", ALL));
            }
            roles.add(role);
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException(PROPERTY + " names no role: use any of " + String.join(", ", ALL));
        }
        return roles;
    }

    /** Each role's switch from the list (registered in META-INF/services). */
    public static final class Factory implements ConfigSourceFactory {

        @Override
        public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
            ConfigValue value = context.getValue(PROPERTY);
            Set<String> roles;
            try {
                roles = value == null || value.getValue() == null ? Set.copyOf(ALL) : parse(value.getValue());
            } catch (IllegalArgumentException e) {
                roles = Set.copyOf(ALL);           // the bean refuses the list at start, with this message
            }
            Map<String, String> switches = new LinkedHashMap<>();
            for (String role : ALL) {
                switches.put("tailaudit." + role + ".enabled", Boolean.toString(roles.contains(role)));
            }
            return List.of(new PropertiesConfigSource(switches, "tailaudit-roles", ORDINAL));
        }
    }
}
