package io.tailaudit.server.cost;

import io.tailaudit.server.tail.CostModel;
import io.tailaudit.server.tail.InvalidSettingException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Reads and edits the price table and the local cost settings, checking every value. */
@ApplicationScoped
public class CostSettings {

    /** The editable local settings. */
    public record Local(double gpuHourlyUsd, int gpus, double throughputTokensPerS, double monthlyFixedUsd,
                        String referenceProvider, String referenceModel) {
    }

    /** One price row. */
    public record Price(String provider, String model, double inputPerMtok, double outputPerMtok) {
    }

    private final ModelPriceRepository prices;
    private final LocalCostRepository locals;
    private final Clock clock;

    CostSettings(ModelPriceRepository prices, LocalCostRepository locals, Clock clock) {
        this.prices = prices;
        this.locals = locals;
        this.clock = clock;
    }

    public List<Price> prices() {
        return prices.listAll().stream()
                .map(p -> new Price(p.key.provider(), p.key.model(), p.inputPerMtok, p.outputPerMtok))
                .sorted(java.util.Comparator.comparing(Price::provider).thenComparing(Price::model))
                .toList();
    }

    /** The price of {@code model}: the provider's own row, else a provider-less row for that model. */
    public Optional<Price> price(String provider, String model) {
        ModelPrice p = prices.findById(new ModelPrice.Key(provider == null ? "" : provider, model));
        if (p == null) {
            p = prices.findById(new ModelPrice.Key("", model));
        }
        return Optional.ofNullable(p).map(x -> new Price(x.key.provider(), x.key.model(), x.inputPerMtok, x.outputPerMtok));
    }

    @Transactional
    public Price putPrice(Price price) {
        requireText("model", price.model());
        requireNonNegative("input_per_mtok", price.inputPerMtok());
        requireNonNegative("output_per_mtok", price.outputPerMtok());
        ModelPrice.Key key = new ModelPrice.Key(price.provider() == null ? "" : price.provider(), price.model());
        ModelPrice row = prices.findById(key);
        if (row == null) {
            row = new ModelPrice();
            row.key = key;
        }
        row.inputPerMtok = price.inputPerMtok();
        row.outputPerMtok = price.outputPerMtok();
        row.updatedAt = clock.instant();
        prices.persist(row);
        return new Price(key.provider(), key.model(), row.inputPerMtok, row.outputPerMtok);
    }

    @Transactional
    public boolean deletePrice(String provider, String model) {
        return prices.deleteById(new ModelPrice.Key(provider == null ? "" : provider, model));
    }

    public Local local() {
        LocalCost l = locals.findById(LocalCost.ID);
        return new Local(l.gpuHourlyUsd, l.gpus, l.throughputTokensPerS, l.monthlyFixedUsd, l.referenceProvider,
                l.referenceModel);
    }

    @Transactional
    public Local putLocal(Local local) {
        requireNonNegative("gpu_hourly_usd", local.gpuHourlyUsd());
        if (local.gpus() < 1) {
            throw new InvalidSettingException("gpus", "gpus must be >= 1, got " + local.gpus());
        }
        if (!(local.throughputTokensPerS() > 0)) {
            throw new InvalidSettingException("throughput_tokens_per_s",
                    "throughput_tokens_per_s must be > 0, got " + local.throughputTokensPerS());
        }
        requireNonNegative("monthly_fixed_usd", local.monthlyFixedUsd());
        requireText("reference_model", local.referenceModel());
        if (price(local.referenceProvider(), local.referenceModel()).isEmpty()) {
            throw new InvalidSettingException("reference_model", "reference_model '" + local.referenceModel()
                    + "' has no row in the price table; add its price first");
        }
        LocalCost l = locals.findById(LocalCost.ID);
        l.gpuHourlyUsd = local.gpuHourlyUsd();
        l.gpus = local.gpus();
        l.throughputTokensPerS = local.throughputTokensPerS();
        l.monthlyFixedUsd = local.monthlyFixedUsd();
        l.referenceProvider = local.referenceProvider() == null ? "" : local.referenceProvider();
        l.referenceModel = local.referenceModel();
        l.updatedAt = clock.instant();
        return local();
    }

    /** The cost model that compares a local deployment against the reference cloud model. */
    public CostModel againstReference() {
        Local l = local();
        Price p = price(l.referenceProvider(), l.referenceModel()).orElseThrow(() ->
                new IllegalStateException("reference model " + l.referenceModel() + " has no price"));
        return new CostModel(p.inputPerMtok(), p.outputPerMtok(), l.gpuHourlyUsd(), l.gpus(),
                l.throughputTokensPerS(), l.monthlyFixedUsd());
    }

    private static void requireNonNegative(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new InvalidSettingException(field, field + " must be a number >= 0, got " + value);
        }
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidSettingException(field, field + " is required");
        }
    }

    /** Changes whenever a price or the local costs do (a deleted price too). For caches of what reads them. */
    public static String version(java.sql.Connection c) throws java.sql.SQLException {
        return io.tailaudit.server.db.SingleValue.text(c, "SELECT concat_ws('/', (SELECT max(updated_at) FROM model_price), (SELECT count(*) FROM model_price),"
                + " (SELECT max(updated_at) FROM local_cost))");
    }
}
