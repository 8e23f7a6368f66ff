package io.tailaudit.server.ingest.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * OTLP/HTTP in, end to end: spans made and exported by the real OpenTelemetry Java SDK (its OTLP/HTTP
 * exporter, protobuf, gzip) land as traces with the GenAI conventions mapped; an evaluation event becomes
 * feedback; the agent span above a chat span gives it the chain, the session and the task; OTLP/JSON with
 * hex ids works; unmappable spans come back as {@code partial_success}; a wrong token is a 401.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class OtlpIngestTest {

    private static final String TOKEN = "tailaudit-test-otlp-token-0123456789";

    @TestHTTPResource("/v1/traces")
    URL endpoint;

    private static final AttributeKey<String> OP = AttributeKey.stringKey("gen_ai.operation.name");
    private static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
    private static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    private static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    private static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    private static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");

    @Test
    void spans_exported_by_the_opentelemetry_sdk_land_as_traces_with_the_genai_fields_mapped() throws Exception {
        String task = Traces.uniqueTask("otlp");
        String conversation = "conv-" + task;
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint.toString())
                .addHeader("Authorization", "Bearer " + TOKEN).setCompression("gzip").build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(io.opentelemetry.sdk.resources.Resource.getDefault().merge(io.opentelemetry.sdk.resources.Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), "trip-service",
                                AttributeKey.stringKey("cloud.region"), "eu-west-1"))))
                // one export at the end, as a batch processor sends an agent that ends within its delay
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(1, TimeUnit.HOURS).build()).build();
        Tracer tracer = provider.get("otlp-test");
        String agentId;
        String chatId;
        String localId;
        String plainId;
        Span agent = tracer.spanBuilder("invoke_agent planner").setSpanKind(SpanKind.INTERNAL)
                .setAttribute(OP, "invoke_agent").setAttribute("gen_ai.agent.name", "planner")
                .setAttribute("tailaudit.task", task).setAttribute("gen_ai.conversation.id", conversation).startSpan();
        try (Scope ignored = agent.makeCurrent()) {
            Span chat = tracer.spanBuilder("chat gpt-4o").setSpanKind(SpanKind.CLIENT)
                    .setAttribute(OP, "chat").setAttribute(PROVIDER, "openai")
                    .setAttribute(REQUEST_MODEL, "gpt-4o").setAttribute(RESPONSE_MODEL, "gpt-4o-2024-08-06")
                    .setAttribute("server.address", "api.openai.com")
                    .setAttribute(INPUT_TOKENS, 1200L).setAttribute(OUTPUT_TOKENS, 80L)
                    .setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop"))
                    .setAttribute("gen_ai.response.time_to_first_chunk", 0.25)
                    .setAttribute("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\","
                            + "\"content\":\"Plan three days in Lisbon\"}]}]")
                    .setAttribute("gen_ai.output.messages", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\","
                            + "\"content\":\"Day one: Alfama\"}],\"finish_reason\":\"stop\"}]")
                    .setAttribute("tailaudit.tag.tenant", "acme")
                    .startSpan();
            chat.addEvent("gen_ai.evaluation.result", Attributes.of(
                    AttributeKey.stringKey("gen_ai.evaluation.name"), "relevance",
                    AttributeKey.doubleKey("gen_ai.evaluation.score.value"), 0.3,
                    AttributeKey.stringKey("gen_ai.evaluation.score.label"), "poor"));
            Thread.sleep(20);
            chat.end();
            chatId = id(chat);
            Span local = tracer.spanBuilder("chat llama3").setSpanKind(SpanKind.CLIENT)
                    .setAttribute(OP, "chat").setAttribute(SYSTEM, "openai")          // the older attribute
                    .setAttribute(REQUEST_MODEL, "llama3:8b").setAttribute("server.address", "localhost")
                    .setAttribute("gen_ai.prompt.0.role", "user").setAttribute("gen_ai.prompt.0.content", "Which museum first?")
                    .setAttribute("gen_ai.completion.0.role", "assistant").setAttribute("gen_ai.completion.0.content", "The tile museum")
                    .setAttribute("error.type", "TimeoutError").startSpan();
            local.setStatus(StatusCode.ERROR, "read timed out");
            local.end();
            localId = id(local);
            Span tool = tracer.spanBuilder("execute_tool weather").setAttribute(OP, "execute_tool").startSpan();
            tool.end();
        } finally {
            agent.end();
            agentId = id(agent);
        }
        Span plain = tracer.spanBuilder("GET /health").startSpan();       // no GenAI attributes: ignored
        plain.end();
        plainId = id(plain);
        assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).as("the exporter's exports succeed").isTrue();
        provider.shutdown().join(10, TimeUnit.SECONDS);

        await().atMost(ofSeconds(30)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == 2);
        assertThat(Db.strings("SELECT concat_ws('|', category, service, deployment_kind, provider, model, region,"
                + " latency_ms >= 20, ttft_ms, input_tokens, output_tokens, status, session_id, parent_trace_id,"
                + " input_text, output_text, tags->>'agent', tags->>'tenant', tags->>'finish_reason')"
                + " FROM trace WHERE trace_id = ?", chatId))
                .containsExactly("agentic|trip-service|cloud|openai|gpt-4o-2024-08-06|eu-west-1|t|250|1200|80|ok|"
                        + conversation + "|" + agentId + "|user: Plan three days in Lisbon|assistant: Day one: Alfama|planner|acme|stop");
        assertThat(Db.strings("SELECT concat_ws('|', deployment_kind, provider, model, status, error_type, session_id,"
                + " parent_trace_id, input_text, output_text) FROM trace WHERE trace_id = ?", localId))
                .containsExactly("local|openai|llama3:8b|timeout|TimeoutError|" + conversation + "|" + agentId
                        + "|user: Which museum first?|assistant: The tile museum");
        await().atMost(ofSeconds(30)).until(() -> Db.count(
                "SELECT count(*) FROM trace WHERE trace_id = ? AND quality = 0.3 AND label = 'relevance: poor'", chatId) == 1);
        assertThat(Db.count("SELECT count(*) FROM trace WHERE trace_id IN (?, ?)", agentId, plainId))
                .as("agent, tool and plain spans are not traces").isZero();
    }

    @Test
    void a_child_exported_before_its_agent_still_joins_its_chain_and_a_late_child_inherits_the_agent() throws Exception {
        String task = Traces.uniqueTask("otlp-early");
        String agentTask = task + "-agent";
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint.toString())
                .addHeader("Authorization", "Bearer " + TOKEN).build();
        // each span exported as it ends: the children reach the receiver before their agent
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(io.opentelemetry.sdk.resources.Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), "early-svc", AttributeKey.stringKey("tailaudit.task"), task)))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        Tracer tracer = provider.get("otlp-test");
        Span agent = tracer.spanBuilder("invoke_agent booker").setAttribute(OP, "invoke_agent")
                .setAttribute("gen_ai.agent.name", "booker").setAttribute("tailaudit.task", agentTask).startSpan();
        String first;
        String second;
        Span late;
        try (Scope ignored = agent.makeCurrent()) {
            first = id(chat(tracer, "step one"));
            second = id(chat(tracer, "step two"));
            late = tracer.spanBuilder("chat late").setAttribute(OP, "chat").setAttribute(PROVIDER, "anthropic")
                    .setAttribute(REQUEST_MODEL, "claude-sonnet").startSpan();
            // the exporter sends concurrently: wait for the children's exports before the agent ends
            assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
        }
        agent.end();
        assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
        late.end();                         // ends after its agent was exported: the receiver remembers the agent
        String agentId = id(agent);
        assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
        provider.shutdown().join(10, TimeUnit.SECONDS);

        await().atMost(ofSeconds(30)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == 2
                && Db.count("SELECT count(*) FROM trace WHERE task = ?", agentTask) == 1);
        assertThat(Db.strings("SELECT concat_ws('|', category, parent_trace_id, tags->>'agent') FROM trace"
                + " WHERE trace_id IN (?, ?) ORDER BY trace_id", first, second))
                .as("exported before the agent: the chain by its parent id, the task from the resource")
                .containsOnly("chat|" + agentId);
        assertThat(Db.strings("SELECT concat_ws('|', category, parent_trace_id, tags->>'agent', deployment_kind)"
                + " FROM trace WHERE trace_id = ?", id(late)))
                .containsExactly("agentic|" + agentId + "|booker|cloud");
    }

    private static Span chat(Tracer tracer, String prompt) {
        Span s = tracer.spanBuilder("chat").setAttribute(OP, "chat").setAttribute(PROVIDER, "anthropic")
                .setAttribute(REQUEST_MODEL, "claude-sonnet").setAttribute("gen_ai.prompt.0.content", prompt).startSpan();
        s.end();
        return s;
    }

    @Test
    void otlp_json_with_hex_ids_is_read_and_unmappable_spans_come_back_as_partial_success() throws Exception {
        String task = Traces.uniqueTask("otlp-json");
        long start = Instant.now().minusSeconds(5).toEpochMilli() * 1_000_000L;
        String traceHex = "5b8efff798038103d269b633813fc60c";
        String json = """
                {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-svc"}},
                  {"key":"tailaudit.task","value":{"stringValue":"%s"}}]},
                 "scopeSpans":[{"scope":{"name":"hand"},"spans":[
                  {"traceId":"%s","spanId":"eee19b7ec3c1b174","name":"chat mistral","kind":3,
                   "startTimeUnixNano":"%d","endTimeUnixNano":"%d",
                   "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                     {"key":"gen_ai.provider.name","value":{"stringValue":"vllm"}},
                     {"key":"gen_ai.request.model","value":{"stringValue":"mistral-7b"}},
                     {"key":"gen_ai.usage.input_tokens","value":{"intValue":"42"}},
                     {"key":"gen_ai.response.finish_reasons","value":{"arrayValue":{"values":[{"stringValue":"content_filter"}]}}}]},
                  {"traceId":"%s","spanId":"eee19b7ec3c1b175","name":"chat nomodel","kind":3,
                   "startTimeUnixNano":"%d","endTimeUnixNano":"%d",
                   "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                     {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}}]},
                  {"traceId":"%s","spanId":"eee19b7ec3c1b176","name":"chat somewhere","kind":3,
                   "startTimeUnixNano":"%d","endTimeUnixNano":"%d",
                   "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                     {"key":"gen_ai.provider.name","value":{"stringValue":"acme-llm"}},
                     {"key":"gen_ai.request.model","value":{"stringValue":"x"}}]},
                  {"traceId":"%s","spanId":"eee19b7ec3c1b177","name":"chat huge","kind":3,
                   "startTimeUnixNano":"%d","endTimeUnixNano":"%d",
                   "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                     {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
                     {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
                     {"key":"gen_ai.usage.input_tokens","value":{"intValue":"900000000000"}}]},
                  {"traceId":"%s","spanId":"eee19b7ec3c1b178","name":"chat non-finite","kind":3,
                   "startTimeUnixNano":"%d","endTimeUnixNano":"%d",
                   "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                     {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
                     {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
                     {"key":"gen_ai.usage.output_tokens","value":{"doubleValue":1e308}}]}
                 ]}]}]}
                """.formatted(task, traceHex, start, start + 1_500_000_000L, traceHex, start, start + 1_000_000L,
                traceHex, start, start + 1_000_000L, traceHex, start, start + 1_000_000L,
                traceHex, start, start + 1_000_000L);
        HttpResponse<String> r = post(json.getBytes(StandardCharsets.UTF_8), "application/json", null, TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode partial = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.body()).path("partialSuccess");
        assertThat(partial.path("rejectedSpans").asText()).isEqualTo("4");
        assertThat(partial.path("errorMessage").asText())
                .contains("no gen_ai.request.model or gen_ai.response.model")
                .contains("local or cloud is unknown: gen_ai.provider.name=acme-llm")
                .contains("out_of_range at $.usage.input_tokens")
                .contains("gen_ai.usage.output_tokens is not a whole number of tokens");
        String id = traceHex + "-eee19b7ec3c1b174";
        await().atMost(ofSeconds(30)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == 1);
        assertThat(Db.strings("SELECT concat_ws('|', trace_id, service, deployment_kind, model, latency_ms, input_tokens,"
                + " status) FROM trace WHERE task = ?", task))
                .containsExactly(id + "|json-svc|local|mistral-7b|1500|42|refused");

        // the same export again (an exporter's retry): stored once
        assertThat(post(gzip(json.getBytes(StandardCharsets.UTF_8)), "application/json", "gzip", TOKEN).statusCode())
                .isEqualTo(200);
        Thread.sleep(2000);
        assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", task)).isEqualTo(1);
        assertThat(Db.count("SELECT count(*) FROM dead_letter WHERE reason = 'duplicate_trace_id_conflict'"
                + " AND payload_preview LIKE ?", "%" + id + "%")).isZero();
    }

    @Test
    void protobuf_partial_success_and_the_refusals_the_protocol_specifies() throws Exception {
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "svc")))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(io.opentelemetry.proto.trace.v1.Span.newBuilder()
                        .setTraceId(com.google.protobuf.ByteString.copyFrom(new byte[16]))
                        .setName("chat").addAttributes(kv("gen_ai.operation.name", "chat"))))).build();
        HttpResponse<byte[]> ok = postBytes(request.toByteArray(), "application/x-protobuf", null, TOKEN);
        assertThat(ok.statusCode()).isEqualTo(200);
        ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(ok.body());
        assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
        assertThat(response.getPartialSuccess().getErrorMessage()).contains("no trace_id or span_id");

        assertThat(post(request.toByteArray(), "application/x-protobuf", null, "wrong-token-0123456789").statusCode())
                .isEqualTo(401);
        HttpResponse<String> none = post(request.toByteArray(), "application/x-protobuf", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"tailaudit-otlp\"");
        // a console user's Basic credentials do not write spans
        HttpResponse<String> basic = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint.toURI())
                .header("Content-Type", "application/x-protobuf").header("Authorization", "Basic YWRtaW46YWRtaW4=")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(post("{}".getBytes(StandardCharsets.UTF_8), "text/plain", null, TOKEN).statusCode()).isEqualTo(415);
        assertThat(post(new byte[]{1, 2, 3}, "application/x-protobuf", "br", TOKEN).statusCode()).isEqualTo(415);
        HttpResponse<String> garbage = post(new byte[]{(byte) 0xff, (byte) 0xff, 1}, "application/x-protobuf", null, TOKEN);
        assertThat(garbage.statusCode()).isEqualTo(400);
        HttpResponse<String> badJson = post("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\"}]}]}]}"
                .getBytes(StandardCharsets.UTF_8), "application/json", null, TOKEN);
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(badJson.body()).contains("\"code\":3").contains("traceId is not hex").doesNotContain("Exception");
        assertThat(post("[".repeat(100_000).getBytes(StandardCharsets.UTF_8), "application/json", null, TOKEN).statusCode())
                .isEqualTo(400);
        // a gzip bomb: 80 MB of zeros in well under 1 MB
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 80; i++) {
                gz.write(zeros);
            }
        }
        HttpResponse<String> tooLarge = post(bomb.toByteArray(), "application/x-protobuf", "gzip", TOKEN);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(post("x".getBytes(StandardCharsets.UTF_8), "application/x-protobuf", "gzip", TOKEN).statusCode())
                .isEqualTo(400);
    }

    private static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static String id(Span span) {
        return span.getSpanContext().getTraceId() + "-" + span.getSpanContext().getSpanId();
    }

    private static byte[] gzip(byte[] plain) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    private HttpResponse<String> post(byte[] body, String type, String encoding, String token) throws Exception {
        return HttpClient.newHttpClient().send(request(body, type, encoding, token), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> postBytes(byte[] body, String type, String encoding, String token) throws Exception {
        return HttpClient.newHttpClient().send(request(body, type, encoding, token), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest request(byte[] body, String type, String encoding, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint.toString())).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }
}
