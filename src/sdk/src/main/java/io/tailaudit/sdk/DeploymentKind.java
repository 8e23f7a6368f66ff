package io.tailaudit.sdk;

/** Where the model runs: on the team's own hardware or behind a cloud API. */
public enum DeploymentKind {
    LOCAL("local"),
    CLOUD("cloud");

    private final String wire;

    DeploymentKind(String wire) {
        this.wire = wire;
    }

    /** The value as written in the JSON contract. */
    public String wire() {
        return wire;
    }

    /** Parses the contract's value; throws {@link IllegalArgumentException} naming the value when unknown. */
    public static DeploymentKind fromWire(String value) {
        for (DeploymentKind k : values()) {
            if (k.wire.equals(value)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown deployment kind: " + value);
    }
}
