package io.tailaudit.sdk;

/** A user's rating of a response (the contract's {@code feedback} field). */
public enum Rating {
    POSITIVE("positive"),
    NEGATIVE("negative");

    private final String wire;

    Rating(String wire) {
        this.wire = wire;
    }

    /** The value as written in the JSON contract. */
    public String wire() {
        return wire;
    }

    /** Parses the contract's value; throws {@link IllegalArgumentException} naming the value when unknown. */
    public static Rating fromWire(String value) {
        for (Rating r : values()) {
            if (r.wire.equals(value)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown rating: " + value);
    }
}
