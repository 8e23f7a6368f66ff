package io.tailaudit.server.rollup;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CohortValuesTest {

    private static TreeMap<String, String> tags(String... keyValues) {
        TreeMap<String, String> tags = new TreeMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            tags.put(keyValues[i], keyValues[i + 1]);
        }
        return tags;
    }

    @Test
    void aTraceCountsInItsContextStepModelVersionAndTagCohorts() {
        CohortValues values = new CohortValues(10);
        values.known("chat", List.of());
        assertEquals(List.of(new Cohort("context", ">8k"), new Cohort("step", "3"), new Cohort("model_version", "v2"),
                        new Cohort("tag:env", "prod"), new Cohort("tag:tenant", "acme")),
                values.of("chat", 9000, 100, 3, "v2", tags("tenant", "acme", "env", "prod")));
        assertEquals(List.of(new Cohort("context", "<=2k")), values.of("chat", null, 100, null, null, null),
                "input tokens stand in for a missing context size");
        assertEquals(List.of(new Cohort("context", "unknown")), values.of("chat", null, null, null, null, null));
    }

    @Test
    void valuesPastTheCapCountAsOtherForGoodAndTheSameCohortComesBackEachTime() {
        CohortValues values = new CohortValues(2);
        values.known("chat", List.<String[]>of(new String[] {"tag:tenant", "acme"}, new String[] {"tag", "tenant"}));
        Cohort acme = values.of("chat", 100, 100, null, null, tags("tenant", "acme")).get(1);
        assertEquals(new Cohort("tag:tenant", "acme"), acme, "a stored value is kept");
        assertSame(acme, values.of("chat", 100, 100, null, null, tags("tenant", new String("acme"))).get(1),
                "one instance per kept value, whatever string the trace brought");
        assertEquals(new Cohort("tag:tenant", "globex"),
                values.of("chat", 100, 100, null, null, tags("tenant", "globex")).get(1), "the second value fits");
        assertEquals(new Cohort("tag:tenant", Cohort.OTHER),
                values.of("chat", 100, 100, null, null, tags("tenant", "initech")).get(1), "the third does not");
        assertEquals(new Cohort("tag:tenant", Cohort.OTHER),
                values.of("chat", 100, 100, null, null, tags("tenant", "initech")).get(1), "nor later");
        assertEquals(new Cohort("tag:tenant", "globex"),
                values.of("chat", 100, 100, null, null, tags("tenant", "globex")).get(1), "a kept value stays kept");

        // tag keys are capped as well: "tenant" is stored, "env" fits, "region" counts in no cohort
        assertEquals(3, values.of("chat", 100, 100, null, null, tags("env", "prod", "tenant", "acme")).size());
        assertEquals(List.of(new Cohort("context", "<=2k"), new Cohort("tag:env", "prod")),
                values.of("chat", 100, 100, null, null, tags("region", "eu", "env", "prod")));

        String longValue = "x".repeat(150);
        assertEquals(new Cohort("step", "1"), values.of("chat", 100, 100, 1, null, null).get(1));
        assertEquals(new Cohort("model_version", "x".repeat(CohortValues.MAX_VALUE_CHARS)),
                values.of("chat", 100, 100, null, longValue, null).get(1), "values are cut at 100 characters");
        assertEquals(new Cohort("model_version", "x".repeat(CohortValues.MAX_VALUE_CHARS)),
                values.of("chat", 100, 100, null, longValue, null).get(1));
    }

    @Test
    void aValueNamedOtherIsNeverKeptAndAnUnloadedTaskIsRefused() {
        CohortValues values = new CohortValues(5);
        values.known("chat", List.of());
        assertEquals(new Cohort("model_version", Cohort.OTHER),
                values.of("chat", 100, 100, null, Cohort.OTHER, null).get(1));
        assertThrows(IllegalStateException.class, () -> values.of("extract", 100, 100, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new CohortValues(0));
    }
}
