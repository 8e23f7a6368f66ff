package io.tailaudit.server.security;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The identity provider's place in the Content-Security-Policy (SecurityHeaders' class javadoc says why). */
class SecurityHeadersTest {

    private static final String IDP = "https://idp.example.com";

    @Test
    void the_provider_origin_joins_the_form_action_sources_and_nothing_else_changes() {
        assertThat(SecurityHeaders.allowFormAction("default-src 'self'; form-action 'self'; frame-ancestors 'none'", IDP))
                .isEqualTo("default-src 'self'; form-action 'self' " + IDP + "; frame-ancestors 'none'");
    }

    @Test
    void a_form_action_last_in_the_policy_gets_the_origin_too() {
        assertThat(SecurityHeaders.allowFormAction("default-src 'self';form-action 'self' ", IDP))
                .isEqualTo("default-src 'self';form-action 'self' " + IDP);
    }

    @Test
    void a_policy_without_form_action_restricts_no_form_and_stays_as_it_is() {
        assertThat(SecurityHeaders.allowFormAction("default-src 'self'", IDP)).isEqualTo("default-src 'self'");
    }

    @Test
    void a_form_action_of_none_stays_none() {
        assertThat(SecurityHeaders.allowFormAction("form-action 'none'", IDP)).isEqualTo("form-action 'none'");
    }

    @Test
    void an_origin_already_listed_is_not_added_twice() {
        assertThat(SecurityHeaders.allowFormAction("form-action 'self' " + IDP, IDP))
                .isEqualTo("form-action 'self' " + IDP);
    }

    @Test
    void the_origin_of_a_realm_url_is_its_scheme_host_and_port() {
        assertThat(SecurityHeaders.origin("http://127.0.0.1:8180/realms/tailaudit")).isEqualTo("http://127.0.0.1:8180");
        assertThat(SecurityHeaders.origin("HTTPS://IdP.Example.com/realms/x/")).isEqualTo(IDP);
    }

    @Test
    void a_relative_auth_server_url_is_refused_naming_the_setting() {
        assertThatThrownBy(() -> SecurityHeaders.origin("/realms/tailaudit"))
                .hasMessage("quarkus.oidc.auth-server-url must be an absolute URL, got '/realms/tailaudit'");
    }
}
