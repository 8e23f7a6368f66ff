package io.tailaudit.server.tail;

/** A setting out of its range; the message names the field and the bad value. */
public final class InvalidSettingException extends RuntimeException {

    private final String field;

    public InvalidSettingException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
