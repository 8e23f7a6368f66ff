package io.tailaudit.server.embedded;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoAccessTest {

    @Test
    void the_demo_session_key_is_refused_when_the_embedded_platform_does_not_run() {
        assertThatThrownBy(() -> DemoAccess.refuseDemoKey(Optional.of(DemoAccess.DEMO_SESSION_KEY), false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("QUARKUS_HTTP_AUTH_SESSION_ENCRYPTION_KEY");
    }

    @Test
    void the_demo_session_key_is_accepted_while_the_embedded_platform_runs_and_an_own_key_always() {
        assertThatCode(() -> DemoAccess.refuseDemoKey(Optional.of(DemoAccess.DEMO_SESSION_KEY), true)).doesNotThrowAnyException();
        assertThatCode(() -> DemoAccess.refuseDemoKey(Optional.of("an-own-secret-of-more-than-32-characters"), false))
                .doesNotThrowAnyException();
        assertThatCode(() -> DemoAccess.refuseDemoKey(Optional.empty(), false)).doesNotThrowAnyException();
    }

    @Test
    void the_demo_users_and_traffic_exist_only_in_the_settings_the_embedded_start_applies() {
        org.assertj.core.api.Assertions.assertThat(DemoAccess.settings())
                .containsEntry("quarkus.security.users.embedded.users.admin", "admin")
                .containsEntry("tailaudit.demo.enabled", "true")
                .containsEntry("quarkus.http.host", "127.0.0.1");
    }
}
