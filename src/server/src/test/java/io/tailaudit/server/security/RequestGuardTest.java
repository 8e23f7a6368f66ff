package io.tailaudit.server.security;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RequestGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {"/api;x/v1/traces", "/api;/v1/traces", "/traces;x", "/api%3Bx/v1/traces", "/api%3b/v1",
            "//api/v1/traces", "/api//v1", "/./api/v1", "/api/./v1", "/api/../api/v1", "/api/%2e%2e/v1",
            "/api/v1/tasks/a%2Fb", "/api\\v1", "/api/v1/tasks/a%00", "api/v1"})
    void paths_a_router_and_a_permission_could_read_differently_are_refused(String path) {
        assertThat(RequestGuard.refusal(path)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/api/v1/traces", "/tasks/caf%C3%A9", "/tasks/invoice%20extraction", "/tasks/v1.2",
            "/tasks/50%25", "/webjars/uplot/dist/uPlot.iife.min.js", "/q/health/ready"})
    void ordinary_paths_pass(String path) {
        assertThat(RequestGuard.refusal(path)).isNull();
    }
}
