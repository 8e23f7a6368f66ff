package io.tailaudit.server.ingest.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the spans of one OTLP export that follow the OpenTelemetry GenAI semantic conventions onto the
 * trace contract (README "OpenTelemetry in" has the table). An inference span ({@code chat},
 * {@code text_completion}, {@code generate_content}) becomes a trace, a {@code gen_ai.evaluation.result}
 * event a feedback event; {@code invoke_agent} spans give their descendants the agent chain, the session
 * and the task; other spans are ignored. A span that claims to be an inference but cannot make a valid
 * trace is rejected with the reason. Pure: no I/O; the agent memory is the caller's.
 */
final class GenAiSpanMapper {

    static final Set<String> INFERENCE = Set.of("chat", "text_completion", "generate_content");
    static final String INVOKE_AGENT = "invoke_agent";
    static final String EVALUATION_EVENT = "gen_ai.evaluation.result";
    private static final Set<String> CATEGORIES = Set.of("autocomplete", "classification", "keyboard",
            "extraction", "long_context_qa", "agentic", "chat", "codebase_reasoning", "other");
    private static final Pattern INDEXED = Pattern.compile("gen_ai\\.(prompt|completion)\\.(\\d{1,4})\\.(role|content)");
    private static final Pattern TIMEOUT = Pattern.compile("(?i).*(timeout|timed.?out|deadline).*");
    private static final int MAX_TEXT_CHARS = 65_536;
    private static final int MAX_ANCESTRY = 64;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    /**
     * What an agent span hands down to the inference spans under it; {@code known} is false for a parent
     * not seen yet (exported later, as a parent that outlives the exporter's batch delay is), which gives
     * only the chain's id.
     */
    record Agent(String id, String name, String task, String category, String conversation, boolean known) {

        static Agent unseen(String id) {
            return new Agent(id, null, null, null, null, false);
        }
    }

    /** One contract event, keyed as the SDK keys it (by {@code trace_id}). */
    record Event(String traceId, ObjectNode json, boolean feedback) {
    }

    /** A span that could not become a trace, and why. */
    record Rejected(String spanName, String reason) {
    }

    record Result(List<Event> events, List<Rejected> rejected, int ignored, Map<String, Agent> agentsById) {
    }

    private final DeploymentKinds kinds;
    private final boolean taskFromService;

    GenAiSpanMapper(DeploymentKinds kinds, boolean taskFromService) {
        this.kinds = kinds;
        this.taskFromService = taskFromService;
    }

    /** The contract {@code trace_id} of a span: its OTel trace id and span id in hex. */
    static String traceIdOf(String traceHex, String spanHex) {
        return traceHex + "-" + spanHex;
    }

    /**
     * Maps every span of {@code request}. {@code knownAgents} answers for agent spans exported earlier (a
     * parent ends after its children, so it often comes in a later export); the result lists the agent
     * spans of this request for the caller to remember.
     */
    Result map(ExportTraceServiceRequest request, java.util.function.Function<String, Agent> knownAgents) {
        // pass 1: every span of the request by id, so ancestry resolves within the export
        Map<String, Located> byId = new HashMap<>();
        List<Located> all = new ArrayList<>();
        for (ResourceSpans rs : request.getResourceSpansList()) {
            Attrs resource = new Attrs(rs.hasResource() ? rs.getResource() : Resource.getDefaultInstance());
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    Located l = new Located(span, new Attrs(span.getAttributesList()), resource);
                    all.add(l);
                    if (!l.spanHex.isEmpty()) {
                        byId.put(l.id(), l);
                    }
                }
            }
        }
        Map<String, Agent> agents = new LinkedHashMap<>();
        for (Located l : all) {
            if (INVOKE_AGENT.equals(l.operation())) {
                agents.put(l.id(), agentOf(l, byId, knownAgents, agents));
            }
        }
        List<Event> events = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        int ignored = 0;
        for (Located l : all) {
            String op = l.operation();
            boolean inference = op != null && INFERENCE.contains(op);
            Agent agent = inference || !l.span.getEventsList().isEmpty()
                    ? nearestAgent(l, byId, knownAgents, agents) : null;
            if (inference) {
                try {
                    events.add(trace(l, agent));
                } catch (Unmappable e) {
                    rejected.add(new Rejected(l.span.getName(), e.getMessage()));
                    continue;
                }
            } else {
                ignored++;
            }
            for (Span.Event ev : l.span.getEventsList()) {
                if (EVALUATION_EVENT.equals(ev.getName())) {
                    Event fb = feedback(l, inference, agent, ev);
                    if (fb != null) {
                        events.add(fb);
                    }
                }
            }
        }
        return new Result(events, rejected, ignored, agents);
    }

    private Agent agentOf(Located l, Map<String, Located> byId, java.util.function.Function<String, Agent> known,
                          Map<String, Agent> resolved) {
        Agent outer = nearestAgent(l, byId, known, resolved);
        String task = first(l.attrs.str("tailaudit.task"), outer == null ? null : outer.task());
        String category = first(l.attrs.str("tailaudit.category"), outer == null ? null : outer.category());
        String conversation = first(l.attrs.str("gen_ai.conversation.id"), outer == null ? null : outer.conversation());
        return new Agent(l.id(), first(l.attrs.str("gen_ai.agent.name"), outer == null ? null : outer.name()),
                task, category, conversation, true);
    }

    /**
     * The closest {@code invoke_agent} above a span: in this request, else remembered from an earlier one,
     * else, when the walk leaves the request, the parent it left for, unseen (it may be the agent still
     * running: siblings then share it as their chain).
     */
    private Agent nearestAgent(Located l, Map<String, Located> byId, java.util.function.Function<String, Agent> known,
                               Map<String, Agent> resolved) {
        Located at = l;
        for (int depth = 0; depth < MAX_ANCESTRY; depth++) {
            String parentHex = hex(at.span.getParentSpanId().toByteArray());
            if (parentHex.isEmpty()) {
                return null;
            }
            String parentId = traceIdOf(at.traceHex, parentHex);
            Located parent = byId.get(parentId);
            if (parent == null) {
                Agent remembered = known.apply(parentId);
                return remembered != null ? remembered : Agent.unseen(parentId);
            }
            if (INVOKE_AGENT.equals(parent.operation())) {
                Agent a = resolved.get(parentId);
                return a != null ? a : new Agent(parentId, parent.attrs.str("gen_ai.agent.name"),
                        parent.attrs.str("tailaudit.task"), parent.attrs.str("tailaudit.category"),
                        parent.attrs.str("gen_ai.conversation.id"), true);
            }
            at = parent;
        }
        return null;
    }

    private Event trace(Located l, Agent agent) {
        Span span = l.span;
        if (l.traceHex.isEmpty() || l.spanHex.isEmpty()) {
            throw new Unmappable("the span has no trace_id or span_id");
        }
        ObjectNode t = NODES.objectNode();
        String id = l.id();
        t.put("schema", "tailaudit.trace/v1");
        t.put("kind", "trace");
        t.put("trace_id", id);
        if (span.getStartTimeUnixNano() == 0) {
            throw new Unmappable("the span has no start time");
        }
        t.put("occurred_at", instant(span.getStartTimeUnixNano()).toString());
        t.put("task", task(l, agent));
        t.put("category", category(l, agent));
        String service = l.resource.str("service.name");
        if (service != null) {
            t.put("service", cut(service, 256));
        }
        ObjectNode d = t.putObject("deployment");
        String provider = first(l.attrs.str("gen_ai.provider.name"), l.attrs.str("gen_ai.system"));
        String address = l.attrs.str("server.address");
        String kind = first(l.attrs.str("tailaudit.deployment.kind"), l.resource.str("tailaudit.deployment.kind"));
        if (kind == null) {
            kind = kinds.kindOf(provider, address);
        }
        if (kind == null) {
            throw new Unmappable("local or cloud is unknown: gen_ai.provider.name=" + provider
                    + " is in neither tailaudit.otlp.local-providers nor cloud-providers and there is no server.address"
                    + " (or set the attribute tailaudit.deployment.kind)");
        }
        d.put("kind", kind);
        if (provider != null) {
            d.put("provider", cut(provider, 256));
        }
        String model = first(l.attrs.str("gen_ai.response.model"), l.attrs.str("gen_ai.request.model"));
        if (model == null) {
            throw new Unmappable("no gen_ai.request.model or gen_ai.response.model");
        }
        d.put("model", model);
        String region = l.resource.str("cloud.region");
        if (region != null) {
            d.put("region", cut(region, 256));
        }
        if (span.getEndTimeUnixNano() < span.getStartTimeUnixNano()) {
            throw new Unmappable("the span ends before it starts");
        }
        t.put("latency_ms", (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1e6);
        Double ttft = first(l.attrs.num("gen_ai.response.time_to_first_chunk"),
                l.attrs.num("gen_ai.server.time_to_first_token"));
        if (ttft != null) {
            if (!Double.isFinite(ttft)) {
                throw new Unmappable("gen_ai.response.time_to_first_chunk is not a finite number");
            }
            t.put("ttft_ms", ttft * 1000.0);
        }
        Long in = tokens(l.attrs, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens");
        Long out = tokens(l.attrs, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens");
        if (in != null || out != null) {
            ObjectNode u = t.putObject("usage");
            if (in != null) {
                u.put("input_tokens", in);
            }
            if (out != null) {
                u.put("output_tokens", out);
            }
        }
        t.set("outcome", outcome(l));
        String conversation = first(l.attrs.str("gen_ai.conversation.id"), agent == null ? null : agent.conversation());
        if (conversation != null) {
            t.put("session_id", cut(conversation, 256));
        }
        if (agent != null) {
            t.put("parent_trace_id", agent.id());
        }
        String input = inputText(l.attrs);
        if (input != null) {
            t.put("input", cut(input, MAX_TEXT_CHARS));
        }
        String output = outputText(l.attrs);
        if (output != null) {
            t.put("output", cut(output, MAX_TEXT_CHARS));
        }
        ObjectNode tags = tags(l, agent);
        if (!tags.isEmpty()) {
            t.set("tags", tags);
        }
        return new Event(id, t, false);
    }

    private String task(Located l, Agent agent) {
        String task = first(l.attrs.str("tailaudit.task"), agent == null ? null : agent.task(),
                l.resource.str("tailaudit.task"));
        if (task == null && taskFromService) {
            task = l.resource.str("service.name");
        }
        if (task == null || task.isBlank()) {
            throw new Unmappable("no task: set the attribute tailaudit.task on the span or its resource"
                    + (taskFromService ? " (or service.name)" : ""));
        }
        if (task.length() > 256) {
            throw new Unmappable("tailaudit.task is longer than 256 characters");
        }
        return task;
    }

    private static String category(Located l, Agent agent) {
        String c = first(l.attrs.str("tailaudit.category"), agent == null ? null : agent.category(),
                l.resource.str("tailaudit.category"));
        if (c != null) {
            if (!CATEGORIES.contains(c)) {
                throw new Unmappable("tailaudit.category=" + cut(c, 64) + " is not one of " + new java.util.TreeSet<>(CATEGORIES));
            }
            return c;
        }
        if (agent != null && agent.known()) {
            return "agentic";
        }
        return "chat".equals(l.operation()) ? "chat" : "other";
    }

    private static ObjectNode outcome(Located l) {
        ObjectNode o = NODES.objectNode();
        String errorType = l.attrs.str("error.type");
        boolean failed = l.span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR || errorType != null;
        List<String> finish = l.attrs.strings("gen_ai.response.finish_reasons");
        if (failed) {
            String type = errorType != null ? errorType : "span_status_error";
            o.put("status", TIMEOUT.matcher(type).matches() ? "timeout" : "error");
            o.put("error_type", cut(type, 256));
        } else if (finish.contains("content_filter")) {
            o.put("status", "refused");
        } else {
            o.put("status", "ok");
        }
        return o;
    }

    private static ObjectNode tags(Located l, Agent agent) {
        ObjectNode tags = NODES.objectNode();
        if (agent != null && agent.name() != null) {
            tags.put("agent", cut(agent.name(), 256));
        }
        if (!"chat".equals(l.operation())) {
            tags.put("operation", l.operation());
        }
        List<String> finish = l.attrs.strings("gen_ai.response.finish_reasons");
        if (!finish.isEmpty()) {
            tags.put("finish_reason", cut(String.join(",", finish), 256));
        }
        for (Map.Entry<String, AnyValue> e : l.attrs.map.entrySet()) {
            if (e.getKey().startsWith("tailaudit.tag.") && tags.size() < 32) {
                String name = e.getKey().substring("tailaudit.tag.".length());
                String value = Attrs.text(e.getValue());
                if (!name.isEmpty() && value != null) {
                    tags.put(cut(name, 256), cut(value, 256));
                }
            }
        }
        return tags;
    }

    private Event feedback(Located l, boolean inference, Agent agent, Span.Event ev) {
        String target;
        if (inference) {
            target = l.id();
        } else {
            String parentHex = hex(l.span.getParentSpanId().toByteArray());
            if (parentHex.isEmpty()) {
                return null;                  // an evaluation of nothing this receiver stores
            }
            target = traceIdOf(l.traceHex, parentHex);
        }
        Attrs a = new Attrs(ev.getAttributesList());
        Double score = a.num("gen_ai.evaluation.score.value");
        String label = a.str("gen_ai.evaluation.score.label");
        String name = a.str("gen_ai.evaluation.name");
        ObjectNode f = NODES.objectNode();
        f.put("schema", "tailaudit.trace/v1");
        f.put("kind", "feedback");
        f.put("trace_id", target);
        String task;
        try {
            task = task(l, agent);
        } catch (Unmappable e) {
            return null;
        }
        f.put("task", task);
        long at = ev.getTimeUnixNano() != 0 ? ev.getTimeUnixNano() : l.span.getEndTimeUnixNano();
        f.put("occurred_at", instant(at).toString());
        boolean any = false;
        if (score != null && score >= 0 && score <= 1) {
            f.put("quality", score);
            any = true;
        }
        if (label != null) {
            f.put("label", cut(name == null ? label : name + ": " + label, 256));
            any = true;
        }
        return any ? new Event(target, f, true) : null;
    }

    /** {@code gen_ai.input.messages} (structured), else the older indexed {@code gen_ai.prompt.N.*}. */
    static String inputText(Attrs a) {
        String structured = messagesText(a.map.get("gen_ai.input.messages"));
        return structured != null ? structured : indexedText(a, "prompt");
    }

    static String outputText(Attrs a) {
        String structured = messagesText(a.map.get("gen_ai.output.messages"));
        return structured != null ? structured : indexedText(a, "completion");
    }

    private static String messagesText(AnyValue v) {
        if (v == null) {
            return null;
        }
        JsonNode messages = Attrs.json(v);
        if (messages == null) {
            return null;
        }
        if (!messages.isArray()) {
            return messages.isTextual() ? messages.asText() : null;
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : messages) {
            String text = messageText(m);
            if (text == null || text.isEmpty()) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            String role = m.path("role").asText("");
            if (!role.isEmpty()) {
                sb.append(role).append(": ");
            }
            sb.append(text);
            if (sb.length() > MAX_TEXT_CHARS) {
                break;
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static String messageText(JsonNode m) {
        if (m.isTextual()) {
            return m.asText();
        }
        JsonNode content = m.get("content");
        if (content != null && content.isTextual()) {
            return content.asText();
        }
        JsonNode parts = m.get("parts");
        if (parts == null || !parts.isArray()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode p : parts) {
            String type = p.path("type").asText("text");
            String piece = switch (type) {
                case "text", "reasoning" -> p.path("content").asText(null);
                case "tool_call" -> "[tool_call " + p.path("name").asText("") + " " + compact(p.get("arguments")) + "]";
                case "tool_call_response" -> "[tool_call_response " + compact(p.get("response")) + "]";
                default -> null;
            };
            if (piece != null && !piece.isEmpty()) {
                if (!sb.isEmpty()) {
                    sb.append(' ');
                }
                sb.append(piece);
            }
        }
        return sb.toString();
    }

    private static String compact(JsonNode n) {
        return n == null ? "" : n.isTextual() ? n.asText() : n.toString();
    }

    private static String indexedText(Attrs a, String kind) {
        TreeMap<Integer, String[]> byIndex = new TreeMap<>();
        for (Map.Entry<String, AnyValue> e : a.map.entrySet()) {
            Matcher m = INDEXED.matcher(e.getKey());
            if (m.matches() && m.group(1).equals(kind)) {
                String[] roleContent = byIndex.computeIfAbsent(Integer.parseInt(m.group(2)), k -> new String[2]);
                roleContent[m.group(3).equals("role") ? 0 : 1] = Attrs.text(e.getValue());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] rc : byIndex.values()) {
            if (rc[1] == null || rc[1].isEmpty()) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            if (rc[0] != null && !rc[0].isEmpty()) {
                sb.append(rc[0]).append(": ");
            }
            sb.append(rc[1]);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static Instant instant(long unixNanos) {
        return Instant.ofEpochSecond(Long.divideUnsigned(unixNanos, 1_000_000_000L),
                Long.remainderUnsigned(unixNanos, 1_000_000_000L));
    }

    static String hex(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return HEX.formatHex(bytes);
            }
        }
        return "";                   // empty or all zero: the protocol's "no id"
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T v : values) {
            if (v != null && !(v instanceof String s && s.isBlank())) {
                return v;
            }
        }
        return null;
    }

    /** A span with its attributes, its resource's, and its ids in hex. */
    private static final class Located {
        final Span span;
        final Attrs attrs;
        final Attrs resource;
        final String traceHex;
        final String spanHex;

        Located(Span span, Attrs attrs, Attrs resource) {
            this.span = span;
            this.attrs = attrs;
            this.resource = resource;
            this.traceHex = hex(span.getTraceId().toByteArray());
            this.spanHex = hex(span.getSpanId().toByteArray());
        }

        String id() {
            return traceIdOf(traceHex, spanHex);
        }

        String operation() {
            String op = attrs.str("gen_ai.operation.name");
            return op == null ? null : op.toLowerCase(Locale.ROOT);
        }
    }

    /** Attributes by key; the last value of a repeated key wins, as the SDKs' own maps do. */
    /**
     * A token count from the convention's attribute, else the older one. A count that is there but is no whole
     * number (1e308, 1.5, "many") makes the span unmappable: dropping it would store the span as if no usage had
     * been reported.
     */
    private static Long tokens(Attrs a, String key, String olderKey) {
        for (String k : List.of(key, olderKey)) {
            if (a.map.containsKey(k)) {
                Long v = a.integer(k);
                if (v == null) {
                    throw new Unmappable(k + " is not a whole number of tokens");
                }
                return v;
            }
        }
        return null;
    }

    static final class Attrs {
        final Map<String, AnyValue> map = new HashMap<>();

        Attrs(Resource resource) {
            this(resource.getAttributesList());
        }

        Attrs(List<KeyValue> kvs) {
            for (KeyValue kv : kvs) {
                map.put(kv.getKey(), kv.getValue());
            }
        }

        String str(String key) {
            AnyValue v = map.get(key);
            return v == null ? null : v.hasStringValue() ? v.getStringValue() : text(v);
        }

        /** A number; a string holding one is read too (some instrumentations stringify everything). */
        Double num(String key) {
            AnyValue v = map.get(key);
            if (v == null) {
                return null;
            }
            if (v.hasDoubleValue()) {
                return v.getDoubleValue();
            }
            if (v.hasIntValue()) {
                return (double) v.getIntValue();
            }
            if (v.hasStringValue()) {
                try {
                    return Double.parseDouble(v.getStringValue().trim());
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return null;
        }

        Long integer(String key) {
            AnyValue v = map.get(key);
            if (v == null) {
                return null;
            }
            if (v.hasIntValue()) {
                return v.getIntValue();
            }
            if (v.hasDoubleValue() && v.getDoubleValue() == Math.rint(v.getDoubleValue())
                    && Math.abs(v.getDoubleValue()) < 1e15) {
                return (long) v.getDoubleValue();
            }
            if (v.hasStringValue()) {
                try {
                    return Long.parseLong(v.getStringValue().trim());
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return null;
        }

        List<String> strings(String key) {
            AnyValue v = map.get(key);
            if (v == null) {
                return List.of();
            }
            if (v.hasArrayValue()) {
                List<String> out = new ArrayList<>();
                for (AnyValue x : v.getArrayValue().getValuesList()) {
                    String s = text(x);
                    if (s != null) {
                        out.add(s);
                    }
                }
                return out;
            }
            JsonNode parsed = json(v);
            if (parsed != null && parsed.isArray()) {
                List<String> out = new ArrayList<>();
                parsed.forEach(x -> out.add(x.asText()));
                return out;
            }
            String s = text(v);
            return s == null ? List.of() : List.of(s);
        }

        /** A scalar as text; arrays and maps as JSON. */
        static String text(AnyValue v) {
            return switch (v.getValueCase()) {
                case STRING_VALUE -> v.getStringValue();
                case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                case INT_VALUE -> Long.toString(v.getIntValue());
                case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
                case ARRAY_VALUE, KVLIST_VALUE -> tree(v, 0).toString();
                case BYTES_VALUE -> HEX.formatHex(v.getBytesValue().toByteArray());
                default -> null;
            };
        }

        /** A structured value: a JSON string parsed, or an OTLP array / key-value list as a tree. */
        static JsonNode json(AnyValue v) {
            if (v.hasStringValue()) {
                String s = v.getStringValue().trim();
                if (s.startsWith("[") || s.startsWith("{")) {
                    try {
                        return JSON.readTree(s);
                    } catch (JsonProcessingException e) {
                        return NODES.textNode(v.getStringValue());
                    }
                }
                return NODES.textNode(v.getStringValue());
            }
            return tree(v, 0);
        }

        private static JsonNode tree(AnyValue v, int depth) {
            if (depth > 32) {
                return NODES.nullNode();
            }
            switch (v.getValueCase()) {
                case ARRAY_VALUE -> {
                    ArrayNode a = NODES.arrayNode();
                    v.getArrayValue().getValuesList().forEach(x -> a.add(tree(x, depth + 1)));
                    return a;
                }
                case KVLIST_VALUE -> {
                    ObjectNode o = NODES.objectNode();
                    v.getKvlistValue().getValuesList().forEach(kv -> o.set(kv.getKey(), tree(kv.getValue(), depth + 1)));
                    return o;
                }
                case STRING_VALUE -> {
                    return NODES.textNode(v.getStringValue());
                }
                case BOOL_VALUE -> {
                    return NODES.booleanNode(v.getBoolValue());
                }
                case INT_VALUE -> {
                    return NODES.numberNode(v.getIntValue());
                }
                case DOUBLE_VALUE -> {
                    return NODES.numberNode(v.getDoubleValue());
                }
                default -> {
                    return NODES.nullNode();
                }
            }
        }
    }

    /** Why an inference span cannot be a trace. */
    static final class Unmappable extends RuntimeException {
        Unmappable(String message) {
            super(message, null, false, false);
        }
    }
}
