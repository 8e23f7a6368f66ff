package io.tailaudit.server.ingest;

/** Storing a batch failed in a way that retrying the same batch later can fix (database or broker away). */
final class StorageException extends Exception {

    StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
