package io.tailaudit.sdk;

import java.util.Objects;

/**
 * The model that served a call. {@code kind} and {@code model} are required; the rest may be null.
 * A deployment is grouped on (kind, provider, model); {@code modelVersion} is a cohort attribute.
 */
public record Deployment(DeploymentKind kind, String provider, String model, String modelVersion,
                         String quantization, String region) {

    public Deployment {
        Objects.requireNonNull(kind, "deployment.kind is required");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("deployment.model is required");
        }
    }

    /** A model served on the team's own hardware. */
    public static Deployment local(String provider, String model) {
        return new Deployment(DeploymentKind.LOCAL, provider, model, null, null, null);
    }

    /** A model served behind a cloud API. */
    public static Deployment cloud(String provider, String model) {
        return new Deployment(DeploymentKind.CLOUD, provider, model, null, null, null);
    }

    public Deployment withModelVersion(String version) {
        return new Deployment(kind, provider, model, version, quantization, region);
    }

    public Deployment withQuantization(String q) {
        return new Deployment(kind, provider, model, modelVersion, q, region);
    }

    public Deployment withRegion(String r) {
        return new Deployment(kind, provider, model, modelVersion, quantization, r);
    }
}
