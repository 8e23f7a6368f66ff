package io.tailaudit.server.cost;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** The local side of the cost comparison; a single row. */
@Entity
@Table(name = "local_cost")
class LocalCost {

    static final int ID = 1;

    @Id
    public int id = ID;

    @Column(name = "gpu_hourly_usd")
    public double gpuHourlyUsd;

    public int gpus;

    @Column(name = "throughput_tokens_per_s")
    public double throughputTokensPerS;

    @Column(name = "monthly_fixed_usd")
    public double monthlyFixedUsd;

    @Column(name = "reference_provider")
    public String referenceProvider;

    @Column(name = "reference_model")
    public String referenceModel;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
