package io.tailaudit.server.cost;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;

/** A cloud model's list price, $ per 1M input and output tokens. */
@Entity
@Table(name = "model_price")
class ModelPrice {

    @EmbeddedId
    public Key key;

    @Column(name = "input_per_mtok")
    public double inputPerMtok;

    @Column(name = "output_per_mtok")
    public double outputPerMtok;

    @Column(name = "updated_at")
    public Instant updatedAt;

    /** provider '' matches any provider for that model name. */
    @Embeddable
    public record Key(String provider, String model) implements Serializable {
    }
}
