package io.tailaudit.sdk;

/** How an inference call ended. */
public enum Status {
    OK("ok"),
    ERROR("error"),
    TIMEOUT("timeout"),
    REFUSED("refused"),
    INVALID_OUTPUT("invalid_output");

    private final String wire;

    Status(String wire) {
        this.wire = wire;
    }

    /** The value as written in the JSON contract. */
    public String wire() {
        return wire;
    }

    /** Parses the contract's value; throws {@link IllegalArgumentException} naming the value when unknown. */
    public static Status fromWire(String value) {
        for (Status s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown status: " + value);
    }
}
