package io.tailaudit.server.api;

/** A search reached a replica without the index role: 503, saying so. */
public class IndexUnavailableException extends RuntimeException {

    public IndexUnavailableException(String message) {
        super(message);
    }
}
