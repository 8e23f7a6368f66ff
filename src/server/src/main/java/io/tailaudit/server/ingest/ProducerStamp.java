package io.tailaudit.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.regex.Pattern;

/**
 * An event's {@code producer} field (contract v1, optional): the client that sent it and its number in that
 * client's sequence. Read from any record that is JSON, a rejected one too, so the ledger accounts for it.
 */
record ProducerStamp(String producerId, long seq) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** 2^53 - 1: the largest integer every JSON reader holds exactly. */
    static final long MAX_SEQ = 9_007_199_254_740_991L;

    /** The stamp of an event's {@code producer} node; null when it is absent or not well formed. */
    static ProducerStamp of(JsonNode producer) {
        if (producer == null || !producer.isObject()) {
            return null;
        }
        JsonNode id = producer.get("id");
        JsonNode seq = producer.get("seq");
        if (id == null || !id.isTextual() || !ID.matcher(id.asText()).matches() || seq == null || !seq.isIntegralNumber()
                || !seq.canConvertToLong() || seq.asLong() < 0 || seq.asLong() > MAX_SEQ) {
            return null;
        }
        return new ProducerStamp(id.asText(), seq.asLong());
    }
}
