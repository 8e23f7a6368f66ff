package io.tailaudit.server.ingest.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * OTLP/HTTP's two encodings: binary protobuf and the protobuf JSON mapping, whose one departure from
 * protobuf's own (trace and span ids in hex, not base64) is undone here before {@link JsonFormat} reads it.
 * Bodies may be gzip-compressed; decompression stops at a bound, so a small bomb cannot fill the heap.
 */
final class OtlpCodec {

    static final String PROTOBUF = "application/x-protobuf";
    static final String JSON_TYPE = "application/json";
    private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id",
            "parent_span_id");
    private static final ObjectMapper JSON = new ObjectMapper();
    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    }
    private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer JSON_PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    /** A request body the protocol cannot read; the message says why (it quotes nothing of the body). */
    static final class BadRequest extends Exception {
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private OtlpCodec() {
    }

    /** Whether a Content-Type names OTLP/JSON (else protobuf); null when it is neither. */
    static Boolean isJson(String contentType) {
        if (contentType == null) {
            return null;
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return switch (base) {
            case PROTOBUF -> false;
            case JSON_TYPE -> true;
            default -> null;
        };
    }

    static byte[] decompress(byte[] body, String encoding, long max) throws BadRequest {
        if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
            return body;
        }
        if (!encoding.trim().equalsIgnoreCase("gzip")) {
            throw new BadRequest(415, "Content-Encoding " + encoding.trim() + " is not supported (gzip or none)");
        }
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(body.length * 4, 1 << 20));
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > max) {
                    throw new BadRequest(413, "the body is over " + max + " bytes once decompressed"
                            + " (tailaudit.otlp.max-decompressed-bytes)");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new BadRequest(400, "the body is not valid gzip");
        }
    }

    static ExportTraceServiceRequest decode(byte[] body, boolean json) throws BadRequest {
        if (!json) {
            try {
                return ExportTraceServiceRequest.parseFrom(body);
            } catch (InvalidProtocolBufferException e) {
                throw new BadRequest(400, "the body is not an OTLP ExportTraceServiceRequest in protobuf");
            }
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (IOException e) {
            throw new BadRequest(400, "the body is not JSON" + (e instanceof JsonProcessingException p
                    && p.getLocation() != null ? " (line " + p.getLocation().getLineNr() + ", column "
                    + p.getLocation().getColumnNr() + ")" : ""));
        }
        if (tree == null || !tree.isObject()) {
            throw new BadRequest(400, "the body is not a JSON object");
        }
        hexIdsToBase64(tree);
        ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
        try {
            JSON_PARSER.merge(tree.toString(), b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new BadRequest(400, "the body is not an OTLP ExportTraceServiceRequest in JSON: "
                    + firstLine(e.getMessage()));
        }
        return b.build();
    }

    /** OTLP/JSON writes ids as hex; protobuf's JSON mapping reads bytes as base64. */
    private static void hexIdsToBase64(JsonNode node) throws BadRequest {
        if (node.isArray()) {
            for (JsonNode n : node) {
                hexIdsToBase64(n);
            }
        } else if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (ID_FIELDS.contains(e.getKey()) && e.getValue().isTextual()) {
                    String hex = e.getValue().asText();
                    byte[] bytes;
                    try {
                        bytes = HexFormat.of().parseHex(hex);
                    } catch (IllegalArgumentException bad) {
                        throw new BadRequest(400, e.getKey() + " is not hex");
                    }
                    e.setValue(o.textNode(Base64.getEncoder().encodeToString(bytes)));
                } else {
                    hexIdsToBase64(e.getValue());
                }
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    static byte[] encode(ExportTraceServiceResponse response, boolean json) {
        if (!json) {
            return response.toByteArray();
        }
        try {
            return JSON_PRINTER.print(response).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a response message always prints", e);
        }
    }

    /** A {@code google.rpc.Status} (code, message), the body OTLP gives its error responses. */
    static byte[] status(int grpcCode, String message, boolean json) {
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("code", grpcCode);
            o.put("message", message);
            return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeInt32(1, grpcCode);
            out.writeString(2, message);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory", e);
        }
    }
}
