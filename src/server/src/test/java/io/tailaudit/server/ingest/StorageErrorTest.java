package io.tailaudit.server.ingest;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class StorageErrorTest {

    @Test
    void a_database_refusing_connections_is_retried_not_blamed_on_the_records() {
        assertThat(BatchProcessor.isTransient(new SQLException("database is not accepting connections", "55000"))).isTrue();
    }

    @Test
    void a_lost_connection_is_retried() {
        assertThat(BatchProcessor.isTransient(new SQLException("I/O error", "08006"))).isTrue();
    }

    @Test
    void a_pool_timeout_without_sqlstate_is_retried() {
        assertThat(BatchProcessor.isTransient(new SQLException("acquisition timeout"))).isTrue();
    }

    @Test
    void a_data_exception_is_isolated_to_its_record() {
        assertThat(BatchProcessor.isTransient(new SQLException("invalid byte sequence", "22021"))).isFalse();
    }

    @Test
    void an_integrity_violation_is_isolated_to_its_record() {
        assertThat(BatchProcessor.isTransient(new SQLException("check violation", "23514"))).isFalse();
    }
}
