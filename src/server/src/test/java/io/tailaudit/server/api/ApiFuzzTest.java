package io.tailaudit.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every parameter of every API operation in the OpenAPI document, and every field of its request body, with
 * random, huge, out-of-range and malformed values, as the admin (who gets furthest): only the statuses a
 * client error or a refusal may have come back, each error as a problem without a stack trace, and nothing
 * is logged at ERROR. Seeded: {@code -Dfuzz.seed=<n>} replays a run, {@code -Dfuzz.rounds=<n>} runs longer.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class ApiFuzzTest {

    private static final Set<Integer> ALLOWED = Set.of(400, 401, 403, 404, 405, 409, 413, 414, 415, 429);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> HOSTILE = List.of("", " ", "-1", "0", "1", "2147483648", "-9223372036854775809",
            "99999999999999999999999", "1e400", "-1e400", "NaN", "Infinity", "1.5", "0x10", "true", "null", "{}", "[]",
            "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "2026-13-45T99:99:99Z", "2026-12-01T00:00:00Z",
            "2026-12-01", "1h", "24h", "7d", "30d", "0d", "-1h", "999999999d", "P1D", "abc", "%00", "\u0000", "\uFFFF",
            "\uD800", "'; DROP TABLE trace; --", "../../etc/passwd", "<script>alert(1)</script>", "a".repeat(4000),
            "é日本語🙂", "local", "cloud", "ok", "error", "key=value", "=", "tenant=", "x".repeat(300));

    @TestHTTPResource("/")
    URL base;

    // HTTP/1.1, as API clients speak it (the JDK client otherwise tries an h2c upgrade on every request)
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Handler errorLog = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(r.getLoggerName() + ": " + r.getMessage()
                        + (r.getThrown() == null ? "" : " (" + r.getThrown() + ")"));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void watchLog() {
        Logger.getLogger("").addHandler(errorLog);
    }

    @AfterEach
    void stopWatching() {
        Logger.getLogger("").removeHandler(errorLog);
    }

    @Test
    void hostile_parameters_and_bodies_get_only_client_errors_as_problems_and_log_no_error() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int rounds = Integer.getInteger("fuzz.rounds", 6);
        Random random = new Random(seed);
        JsonNode api = JSON.readTree(get("/q/openapi?format=json"));
        List<String> wrong = new ArrayList<>();
        int calls = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = api.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
                if (!Set.of("GET", "POST", "PUT", "DELETE").contains(method)) {
                    continue;
                }
                for (int round = 0; round < rounds * Math.max(1, op.getValue().path("parameters").size()); round++) {
                    HttpResponse<String> r = call(method, path.getKey(), op.getValue(), api, random);
                    calls++;
                    String problem = judge(r);
                    if (problem != null) {
                        wrong.add(method + " " + abbreviate(r.request().uri().toString()) + " -> " + r.statusCode() + ": " + problem);
                    }
                }
            }
        }
        assertThat(calls).as("operations exercised").isGreaterThan(100);
        assertThat(wrong).as("seed " + seed).isEmpty();
        assertThat(errors).as("ERROR log lines, seed " + seed).isEmpty();
    }

    /** Why a response is wrong, or null. */
    private static String judge(HttpResponse<String> r) {
        int s = r.statusCode();
        if (s >= 200 && s < 300) {
            return null;
        }
        if (!ALLOWED.contains(s)) {
            return "status not allowed: " + abbreviate(r.body());
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/problem+json")) {
            return "not a problem: " + type + " " + abbreviate(r.body());
        }
        if (r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains("SQL")) {
            return "leaks internals: " + abbreviate(r.body());
        }
        return null;
    }

    private HttpResponse<String> call(String method, String template, JsonNode op, JsonNode api, Random random)
            throws Exception {
        String path = template;
        StringBuilder query = new StringBuilder();
        for (JsonNode p : op.path("parameters")) {
            String value = value(random);
            String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
            if ("path".equals(p.path("in").asText())) {
                path = path.replace("{" + p.path("name").asText() + "}", encoded.isEmpty() ? "x" : encoded);
            } else if ("query".equals(p.path("in").asText()) && random.nextInt(4) > 0) {
                query.append(query.isEmpty() ? "?" : "&").append(p.path("name").asText()).append('=').append(encoded);
            }
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path + query))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8)));
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
        if (op.has("requestBody")) {
            b.header("Content-Type", "application/json");
            body = HttpRequest.BodyPublishers.ofString(body(op.path("requestBody"), api, random));
        }
        return http.send(b.method(method, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String value(Random random) {
        return HOSTILE.get(random.nextInt(HOSTILE.size()));
    }

    /** A request body: malformed JSON, a wrong shape, or the schema's own fields with hostile values. */
    private static String body(JsonNode requestBody, JsonNode api, Random random) {
        switch (random.nextInt(8)) {
            case 0:
                return "{\"unterminated";
            case 1:
                return "[1,2,3]";
            case 2:
                return "[".repeat(5000) + "]".repeat(5000);
            case 3:
                return "{\"a\":" + "{\"a\":".repeat(3000) + "1" + "}".repeat(3001);
            default:
                break;
        }
        JsonNode schema = requestBody.path("content").path("application/json").path("schema");
        if (schema.has("$ref")) {
            schema = api.at(schema.path("$ref").asText().substring(1));
        }
        ObjectNode o = JSON.createObjectNode();
        for (Iterator<String> names = schema.path("properties").fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (random.nextInt(3) == 0) {
                continue;
            }
            switch (random.nextInt(6)) {
                case 0 -> o.put(name, value(random));
                case 1 -> o.put(name, random.nextBoolean() ? Double.MAX_VALUE : -Double.MAX_VALUE);
                case 2 -> o.put(name, random.nextLong());
                case 3 -> o.putArray(name).add(value(random));
                case 4 -> o.putObject(name).put("x", value(random));
                default -> o.put(name, random.nextBoolean());
            }
        }
        return o.toString();
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
