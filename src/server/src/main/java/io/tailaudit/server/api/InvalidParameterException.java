package io.tailaudit.server.api;

/** A request parameter the API cannot use; rendered as 400 with the message as detail. */
public final class InvalidParameterException extends RuntimeException {

    public InvalidParameterException(String message) {
        super(message);
    }
}
