package io.tailaudit.server.settings;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A task's overrides; a null column means the category's default. */
@Entity
@Table(name = "task_settings")
class TaskSettingsRow {

    @Id
    public String task;

    public String category;

    @Column(name = "quality_floor")
    public Double qualityFloor;

    @Column(name = "latency_budget_ms")
    public Double latencyBudgetMs;

    @Column(name = "tail_absorbable")
    public Boolean tailAbsorbable;

    @Column(name = "scope_constrained")
    public Boolean scopeConstrained;

    @Column(name = "tail_threshold")
    public Double tailThreshold;

    @Column(name = "store_text")
    public Boolean storeText;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
