package io.tailaudit.server.embedded;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DemoConfigSourceTest {

    @AfterEach
    void stopped() {
        System.clearProperty(DemoAccess.RUNNING);
    }

    @Test
    void without_the_embedded_platform_the_demo_source_is_empty() {
        assertThat(new DemoConfigSource().getProperties()).isEmpty();
        assertThat(new DemoConfigSource().getValue("quarkus.security.users.embedded.users.admin")).isNull();
    }

    @Test
    void with_the_embedded_platform_it_holds_the_demo_users_below_every_source_a_user_sets() {
        System.setProperty(DemoAccess.RUNNING, "true");
        DemoConfigSource demo = new DemoConfigSource();
        assertThat(demo.getValue("quarkus.security.users.embedded.users.admin")).isEqualTo("admin");
        assertThat(demo.getPropertyNames()).contains(DemoAccess.SESSION_KEY, "quarkus.http.host");
        // application.properties is 250, config/application.properties 260, .env 295, environment 300
        assertThat(demo.getOrdinal()).isLessThan(250);
    }
}
