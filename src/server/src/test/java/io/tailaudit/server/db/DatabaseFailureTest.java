package io.tailaudit.server.db;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.SQLException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** One test per rule of {@link DatabaseFailure}; a refusal while connecting is DatabaseOutageApiTest's. */
class DatabaseFailureTest {

    @ParameterizedTest
    @ValueSource(strings = {"08001", "08006", "57P01", "57P02", "57P03", "53300"})
    void connection_shutdown_and_resource_states_mean_unavailable(String state) {
        assertThat(DatabaseFailure.of(new SQLException("x", state))).contains(DatabaseFailure.Kind.UNAVAILABLE);
    }

    @Test
    void the_pools_acquisition_timeout_means_unavailable() {
        assertThat(DatabaseFailure.of(new SQLException("Acquisition timeout while waiting for new connection",
                new TimeoutException()))).contains(DatabaseFailure.Kind.UNAVAILABLE);
    }

    @Test
    void a_cancelled_statement_means_too_slow() {
        assertThat(DatabaseFailure.of(new SQLException("canceling statement due to statement timeout", "57014")))
                .contains(DatabaseFailure.Kind.TOO_SLOW);
    }

    @Test
    void a_failure_wrapped_by_a_caller_is_found_along_the_causes() {
        assertThat(DatabaseFailure.of(new IllegalStateException(new RuntimeException(new SQLException("x", "08006")))))
                .contains(DatabaseFailure.Kind.UNAVAILABLE);
    }

    @Test
    void the_features_storage_exception_is_read_by_its_cause() {
        assertThat(DatabaseFailure.of(new StorageException(new SQLException("I/O error", "08006"))))
                .contains(DatabaseFailure.Kind.UNAVAILABLE);
        assertThat(DatabaseFailure.of(new StorageException("rules", new SQLException("syntax error", "42601"))))
                .isEmpty();
        assertThat(new StorageException(new SQLException("duplicate key", "23505")).uniqueViolation()).isTrue();
        assertThat(new StorageException(new SQLException("I/O error", "08006")).uniqueViolation()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"23505", "42P01", "22003", "55000"})
    void other_states_raised_by_a_statement_are_not_the_databases_availability(String state) {
        assertThat(DatabaseFailure.of(new SQLException("x", state))).isEmpty();
    }

    @Test
    void a_failure_without_an_sql_exception_is_none() {
        assertThat(DatabaseFailure.of(new IllegalStateException("bug"))).isEmpty();
    }
}
