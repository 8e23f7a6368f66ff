package io.tailaudit.server.rollup;

import io.tailaudit.server.tail.QualityHistogram;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CohortTest {

    private static final Cohort OVER_8K = new Cohort(Cohort.CONTEXT, Cohort.OVER_8K);
    private static final Cohort TENANT = new Cohort("tag:tenant", "acme");

    private static Map<Cohort, QualityHistogram> sample() {
        QualityHistogram context = new QualityHistogram();
        context.add(true, 0.9, false, false, true);
        context.add(false, null, false, false, true);
        context.add(true, 0.2, true, false, true);
        QualityHistogram tenant = new QualityHistogram();
        tenant.add(true, 0.9, false, false, true);
        tenant.add(true, 0.5, false, true, true);
        Map<Cohort, QualityHistogram> cohorts = new TreeMap<>();
        cohorts.put(OVER_8K, context);
        cohorts.put(TENANT, tenant);
        return cohorts;
    }

    @Test
    void contextKeepsItsFullHistogramAndOtherCohortsTheirCounts() {
        Map<Cohort, QualityHistogram> decoded = Cohort.decode(Cohort.encode(sample()));

        QualityHistogram context = decoded.get(OVER_8K);
        QualityHistogram expected = sample().get(OVER_8K);
        assertArrayEquals(expected.all(), context.all());
        assertArrayEquals(expected.hard(), context.hard());
        assertArrayEquals(expected.flagged(), context.flagged());
        assertArrayEquals(expected.sums(), context.sums());

        QualityHistogram tenant = decoded.get(TENANT);
        assertArrayEquals(sample().get(TENANT).all(), tenant.all());
        assertEquals(0, java.util.Arrays.stream(tenant.hard()).sum(),
                "a tag cohort keeps counts only");
    }

    @Test
    void mergingTwoEncodingsAddsTheCounts() {
        Map<Cohort, QualityHistogram> into = new TreeMap<>();
        Cohort.mergeEncoded(Cohort.encode(sample()), into, c -> true);
        Cohort.mergeEncoded(Cohort.encode(sample()), into, c -> !c.hourly());
        assertEquals(3, into.get(OVER_8K).count());
        assertEquals(4, into.get(TENANT).count());
    }

    @Test
    void readsTheFirstFormat() throws IOException {
        // the first format: int count, then per cohort two UTF strings, an int length and a full histogram
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(2);
            for (Map.Entry<Cohort, QualityHistogram> e : sample().entrySet()) {
                out.writeUTF(e.getKey().dimension());
                out.writeUTF(e.getKey().value());
                byte[] h = HistogramCodec.encode(e.getValue());
                out.writeInt(h.length);
                out.write(h);
            }
        }
        Map<Cohort, QualityHistogram> decoded = Cohort.decode(bytes.toByteArray());
        assertArrayEquals(sample().get(OVER_8K).hard(), decoded.get(OVER_8K).hard());
        assertArrayEquals(sample().get(TENANT).all(), decoded.get(TENANT).all());
    }
}
