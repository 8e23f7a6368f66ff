package io.tailaudit.server.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The tags' jsonb text is written by hand: it must be exactly what Jackson wrote before it. */
class CopyBinaryProperties {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 2000)
    void tags_are_written_as_jackson_writes_them(@ForAll("tags") Map<String, String> tags) throws Exception {
        assertThat(CopyBinary.json(tags)).isEqualTo(JSON.writeValueAsString(tags));
    }

    @Provide
    Arbitrary<Map<String, String>> tags() {
        // every control character, quotes, backslashes, DEL, non-ASCII, lone and paired surrogates
        Arbitrary<String> text = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().withCharRange('\u0000', '\u0020').withChars('"', '\\', '/', '\u007f', '\u2028',
                        '\ud83d', '\ude00', '\u00e9').ofMaxLength(20));
        return Arbitraries.maps(text, text).ofMinSize(1).ofMaxSize(32).map(TreeMap::new);
    }
}
