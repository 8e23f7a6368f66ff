package io.tailaudit.sdk;

/** The task category of the contract; it sets the defaults for scope, tail absorbability and latency budget. */
public enum Category {
    AUTOCOMPLETE("autocomplete"),
    CLASSIFICATION("classification"),
    KEYBOARD("keyboard"),
    EXTRACTION("extraction"),
    LONG_CONTEXT_QA("long_context_qa"),
    AGENTIC("agentic"),
    CHAT("chat"),
    CODEBASE_REASONING("codebase_reasoning"),
    OTHER("other");

    private final String wire;

    Category(String wire) {
        this.wire = wire;
    }

    /** The value as written in the JSON contract. */
    public String wire() {
        return wire;
    }

    /** Parses the contract's value; throws {@link IllegalArgumentException} naming the value when unknown. */
    public static Category fromWire(String value) {
        for (Category c : values()) {
            if (c.wire.equals(value)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown category: " + value);
    }
}
