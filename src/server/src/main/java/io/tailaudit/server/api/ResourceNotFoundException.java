package io.tailaudit.server.api;

/** The addressed resource does not exist; rendered as 404 with the message as detail. */
public final class ResourceNotFoundException extends RuntimeException {

    public ResourceNotFoundException(String message) {
        super(message);
    }
}
