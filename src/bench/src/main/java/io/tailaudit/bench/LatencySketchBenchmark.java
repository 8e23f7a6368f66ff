package io.tailaudit.bench;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import io.tailaudit.server.analytics.TaskAnalytics;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Why the rollups keep latency in a DDSketch: against the exact nearest-rank quantiles of heavy-tailed
 * latencies (log-normal with 2% of calls 3-8x slower, as the synthetic traces have), the relative error of
 * p50/p95/p99/p99.9 after merging 24 hourly sketches (read the way the task endpoint reads them), and the stored size of a sketch. A rank-error sketch
 * (KLL, t-digest) bounds the error in rank, not in value: at p99 of a heavy tail a 0.5% rank error can
 * move the value by tens of percent, which is what the relative-error guarantee rules out.
 * <pre>src/bench/run.sh LatencySketchBenchmark</pre>
 */
public final class LatencySketchBenchmark {

    private LatencySketchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("TailAudit latency sketch check (DDSketch, 1% relative accuracy, as stored per rollup bucket)");
        for (int n : new int[] {1_000, 100_000, 2_400_000}) {
            Random random = new Random(n);
            double[] all = new double[n];
            DDSketch merged = DDSketches.unboundedDense(0.01);
            int perHour = n / 24;
            long bytes = 0;
            for (int h = 0; h < 24; h++) {
                DDSketch hour = DDSketches.unboundedDense(0.01);
                for (int i = h * perHour; i < (h + 1) * perHour; i++) {
                    double v = 800 * Math.exp(0.6 * random.nextGaussian());
                    if (random.nextDouble() < 0.02) {
                        v *= 3 + 5 * random.nextDouble();
                    }
                    all[i] = Math.round(v * 10) / 10.0;
                    hour.accept(all[i]);
                }
                GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(512);
                hour.encode(out, false);
                bytes += out.trimmedCopy().length;
                merged.mergeWith(hour);
            }
            double[] sorted = Arrays.copyOf(all, perHour * 24);
            Arrays.sort(sorted);
            StringBuilder line = new StringBuilder();
            for (double q : new double[] {0.50, 0.95, 0.99, 0.999}) {
                double exact = sorted[(int) Math.max(0, Math.ceil(q * sorted.length) - 1)];
                double sketch = TaskAnalytics.nearestRank(merged, q);
                line.append(String.format(Locale.ROOT, "p%s %.0f ms (%+.2f%%)  ", trim(q * 100), exact,
                        100 * (sketch - exact) / exact));
            }
            System.out.println(Fmt.line(Fmt.count(sorted.length) + " values", line + String.format(Locale.ROOT,
                    "| %,d bytes per hourly sketch on average", bytes / 24)));
        }
    }

    private static String trim(double pct) {
        return pct == Math.rint(pct) ? String.valueOf((int) pct) : String.valueOf(pct);
    }
}
