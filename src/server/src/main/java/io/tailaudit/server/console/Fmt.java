package io.tailaudit.server.console;

import io.quarkus.qute.TemplateExtension;
import io.tailaudit.server.analytics.TaskViews.Comparison;
import io.tailaudit.server.analytics.TaskViews.DeploymentId;
import io.tailaudit.server.analytics.TaskViews.Projection;
import io.tailaudit.server.analytics.TaskViews.Rate;
import io.tailaudit.server.analytics.TaskViews.Spend;
import io.tailaudit.server.tail.CanaryComparison;
import io.tailaudit.server.tail.Verdict;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** How the console writes numbers, rates, money and times; used from the templates as {@code value.pct} etc. */
@TemplateExtension
public final class Fmt {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Fmt() {
    }

    /** 0.1234 -> "12.3%". */
    static String pct(Double share) {
        return share == null || share.isNaN() ? "—" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    /** A rate with its 95% interval: "12.3% (9.1–16.0%)". */
    static String withInterval(Rate r) {
        if (r == null || r.denominator() == 0) {
            return "—";
        }
        return pct(r.rate()) + " (" + String.format(Locale.ROOT, "%.1f–%.1f%%", 100 * r.low(), 100 * r.high()) + ")";
    }

    /** A rate's 95% interval alone: "9.1–16.0%". */
    static String interval(Rate r) {
        return r == null || r.denominator() == 0 ? "no traces"
                : String.format(Locale.ROOT, "%.1f–%.1f%%", 100 * r.low(), 100 * r.high());
    }

    static String count(Long n) {
        return n == null ? "—" : String.format(Locale.ROOT, "%,d", n);
    }

    static String count(Double n) {
        return n == null ? "—" : String.format(Locale.ROOT, "%,.0f", n);
    }

    static String usd(Double v) {
        if (v == null || v.isNaN()) {
            return "—";
        }
        return v >= 100 ? String.format(Locale.ROOT, "$%,.0f", v) : String.format(Locale.ROOT, "$%,.2f", v);
    }

    /** Tokens: "2.4M", "850k", "900". */
    static String tokens(Double perDay) {
        if (perDay == null) {
            return "—";
        }
        if (perDay >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", perDay / 1_000_000);
        }
        return perDay >= 1_000 ? String.format(Locale.ROOT, "%.0fk", perDay / 1_000) : String.format(Locale.ROOT, "%.0f", perDay);
    }

    static String ms(Double v) {
        return v == null ? "—" : v >= 10_000 ? String.format(Locale.ROOT, "%,.1f s", v / 1000)
                : String.format(Locale.ROOT, "%,.0f ms", v);
    }

    static String num(Double v) {
        return v == null || v.isNaN() ? "—" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String utc(Instant t) {
        return t == null ? "—" : TIME.format(t);
    }

    /** A URL path segment or query value (a space as %20, right in both). */
    static String url(String s) {
        return s == null ? "" : URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A count within a total: "24 (100.0%)". */
    static String shareOf(double count, double total) {
        return String.format(Locale.ROOT, "%,.0f", count) + " (" + (total > 0 ? pct(count / total) : "—") + ")";
    }

    /** A tag cohort as the trace list's tag filter, URL-encoded: "tenant%3Dacme". */
    static String tagFilter(io.tailaudit.server.analytics.TaskViews.CohortLift c) {
        return url(c.dimension().substring(c.dimension().indexOf(':') + 1) + "=" + c.value());
    }

    /** A cohort lift worth highlighting: 1.5 times its share or more. */
    static boolean overRepresented(Double lift) {
        return lift != null && lift >= 1.5;
    }

    /** CSS class of a verdict: flagged (a move), keep or undecided. */
    static String css(Verdict.Kind kind) {
        return switch (kind) {
            case MOVE_TO_CLOUD, MOVE_TO_LOCAL, HYBRID -> "flag";
            case KEEP -> "keep";
            case INSUFFICIENT_DATA -> "undecided";
        };
    }

    /** MOVE_TO_CLOUD -> "Move to cloud". */
    static String label(Verdict.Kind kind) {
        String s = kind.name().replace('_', ' ').toLowerCase(Locale.ROOT);
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** The canary's word on the verdict, for a badge beside it; empty when the verdict moves nothing. */
    static String label(Verdict.Confirmation c) {
        return switch (c) {
            case CONFIRMED -> "confirmed by canary";
            case NOT_SUPPORTED -> "unconfirmed";
            case CONTRADICTED -> "contradicted by canary";
            case NOT_COMPUTABLE -> "unconfirmed: canary too small";
            case NO_CANARY -> "unconfirmed: no canary";
            case NONE -> "";
        };
    }

    /** A canary's word on a move as DESIGN names it ("not supported"); empty when it has none. */
    static String word(Verdict.Confirmation c) {
        return c == Verdict.Confirmation.NONE ? "" : c.code().replace('_', ' ');
    }

    /** CSS class of a canary's word: confirmed reads as keep, contradicted as flagged, the rest undecided. */
    static String css(Verdict.Confirmation c) {
        return switch (c) {
            case CONFIRMED -> "keep";
            case CONTRADICTED -> "flag";
            default -> "undecided";
        };
    }

    /** A comparison's statistical outcome, said of the canary: "significantly better", "no significant difference". */
    static String label(CanaryComparison.Outcome o) {
        return switch (o) {
            case BETTER -> "significantly better";
            case WORSE -> "significantly worse";
            case NO_SIGNIFICANT_DIFFERENCE -> "no significant difference";
            case NOT_COMPUTABLE -> "not computable: fewer than " + CanaryComparison.MIN_TRACES + " traces on a side";
        };
    }

    /** Canary minus busiest in percentage points with its 95% interval: "-9.2 pp (-10.9 to -7.4 pp)". */
    static String differenceText(Comparison c) {
        if (c.difference() == null) {
            return "—";
        }
        return String.format(Locale.ROOT, "%+.1f pp (%+.1f to %+.1f pp)", 100 * c.difference(), 100 * c.low(),
                100 * c.high());
    }

    /** The comparison's z-test: "p < 0.001", "p = 0.042"; "—" when not computable. */
    static String pText(Comparison c) {
        return c.pValue() == null ? "—" : CanaryComparison.pValue(c.pValue());
    }

    /** A deployment as "cloud · gpt-4o"; a destination no model of the task runs on yet as "local, no model yet". */
    static String text(DeploymentId d) {
        return d.model() == null ? d.kind() + ", no model yet" : d.kind() + " · " + d.model();
    }

    /** move_to_cloud -> "Move to cloud", route_over_8k_to_cloud -> "Route > 8k to cloud". */
    static String actionLabel(String action) {
        String s = action.replace("over_8k", "> 8k").replace('_', ' ');
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** The local side's cost per day: "$0.22 + $13.15 fixed", or "$0.00" when nothing is served locally. */
    static String localCost(Spend s) {
        return s.localFixedPerDay() > 0 ? usd(s.localMarginalPerDay()) + " + " + usd(s.localFixedPerDay()) + " fixed"
                : usd(s.localMarginalPerDay());
    }

    /** The cloud side's cost per day: "$6.67 at gpt-4o", "$0.00", or "unpriced" without a price. */
    static String cloudCost(Spend s) {
        if (s.cloudTokensPerDay() == 0) {
            return usd(0.0);
        }
        return s.cloudCostPerDay() == null ? "unpriced" : usd(s.cloudCostPerDay()) + " at " + s.cloudModel();
    }

    /** A change of cost per day, signed: "+$1.20", "-$6.70"; "—" when a side is unpriced. */
    static String usdChange(Double v) {
        if (v == null || v.isNaN()) {
            return "—";
        }
        return (v < 0 ? "-" : "+") + usd(Math.abs(v));
    }

    /** Whether a projection was measured (a rate) rather than left to a canary. */
    static boolean measured(Projection p) {
        return p.rate() != null;
    }

    /** A projected rate: "3.1% (1.2–7.9%)", or "unmeasured — a canary of 292 traces would decide it". */
    static String withInterval(Projection p) {
        if (p.rate() == null) {
            return "unmeasured — a canary of " + count(p.canarySizeToDecide()) + " traces would decide it";
        }
        return pct(p.rate()) + " (" + String.format(Locale.ROOT, "%.1f–%.1f%%", 100 * p.low(), 100 * p.high()) + ")";
    }

    /** The escalation trend as an arrow: up, down or flat (not computable: a dot). */
    static String arrow(String direction) {
        return switch (direction) {
            case "up" -> "↑";
            case "down" -> "↓";
            case "flat" -> "→";
            default -> "·";
        };
    }

    /**
     * SVG polyline points of a sparkline in a 100 x 24 box: one point per bucket, y from 0 (top) at the
     * series' maximum (at least 5%) to 24; empty buckets are skipped.
     */
    static String sparkPoints(List<Double> series) {
        if (series == null || series.size() < 2) {
            return "";
        }
        double max = Math.max(0.05, series.stream().filter(java.util.Objects::nonNull).mapToDouble(Double::doubleValue)
                .max().orElse(0));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < series.size(); i++) {
            Double v = series.get(i);
            if (v == null) {
                continue;
            }
            double x = 100.0 * i / (series.size() - 1);
            double y = 22 - 20 * v / max + 1;
            sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return sb.toString().trim();
    }

    /** The sparkline's text equivalent: "from 3.1% to 7.4%, peak 9.0%". */
    static String sparkText(List<Double> series) {
        List<Double> v = series == null ? List.of() : series.stream().filter(java.util.Objects::nonNull).toList();
        if (v.isEmpty()) {
            return "no folded buckets yet";
        }
        return "from " + pct(v.get(0)) + " to " + pct(v.get(v.size() - 1)) + ", peak "
                + pct(v.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }
}
