package io.tailaudit.server.ingest;

/**
 * Storing a batch failed in a way that retrying the same batch later can fix (database or broker away): the
 * loop seeks back and retries rather than dead-lettering anything.
 */
final class RetryableBatchException extends Exception {

    RetryableBatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
