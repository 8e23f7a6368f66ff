package io.tailaudit.bench;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailaudit.sdk.TailAudit;
import io.tailaudit.sdk.TailAuditClient;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.server.embedded.EmbeddedPlatform;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OTLP/HTTP in against the SDK, one server: {@code spans} GenAI chat spans exported as OTLP protobuf in
 * requests of 512 spans (the OpenTelemetry SDK's default batch) by two concurrent exporters, timed while the
 * receiver answers (spans accepted per second) and until every span is a stored trace (end to end); then as
 * many SDK events, timed until stored. The ratio of the two end-to-end rates is the cost of the OTLP path.
 * Same server, same run; the index role is off, as in the ingest benchmarks.
 */
public final class OtlpBenchmark {

    private static final String TOKEN = "otlp-benchmark-token-0123456789";
    private static final int BATCH = 512;
    private static final int EXPORTERS = 2;

    public static void main(String[] args) {
        Fmt.useJBossLogManager();
        try {
            run(args.length > 0 ? Integer.parseInt(args[0].replace("_", "").replace(",", "")) : 200_000);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("otlp benchmark failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(int spans) throws Exception {
        System.out.println("TailAudit OTLP benchmark (OTLP/HTTP protobuf in, against SDK events, one server)");
        Fmt.printPlatform();
        Path jar = ServerProcess.runJar(ServerProcess.repoRoot());
        try (TempDir tmp = TempDir.create("tailaudit-otlp-bench");
             EmbeddedPlatform platform = EmbeddedPlatform.start(tmp.resolve("platform"))) {
            TraceLoader.createTopics(platform.bootstrapServers(), 4);
            Map<String, String> props = new HashMap<>(ServerProcess.againstPlatform(platform));
            props.put("tailaudit.index.enabled", "false");
            props.put("tailaudit.otlp.token", TOKEN);
            try (ServerProcess server = ServerProcess.start(jar, props, tmp.path(), tmp.resolve("server.log"))) {
                while (server.httpPort().isEmpty()) {
                    server.requireAlive();
                    Thread.sleep(100);
                }
                int port = server.httpPort().get();
                // warm-up: both paths once, small
                exportAll(port, 20_000, 1);
                sdk(platform, 20_000, 2);
                awaitStored(port, 40_000);

                long base = stored(port);
                long t0 = System.nanoTime();
                double accepted = exportAll(port, spans, 3);
                long t1 = System.nanoTime();
                awaitStored(port, base + spans);
                double otlpEndToEnd = spans / ((System.nanoTime() - t0) / 1e9);
                System.out.println(Fmt.line("OTLP accepted", Fmt.rate(accepted) + " spans/s (" + Fmt.count(spans)
                        + " spans, " + EXPORTERS + " exporters, " + BATCH + " per request, protobuf, acks=all before 200;"
                        + String.format(Locale.ROOT, " %.1f s", (t1 - t0) / 1e9) + ")"));
                System.out.println(Fmt.line("OTLP end to end", Fmt.rate(otlpEndToEnd) + " spans/s until every span"
                        + " is a stored trace"));

                base = stored(port);
                long s0 = System.nanoTime();
                sdk(platform, spans, 4);
                awaitStored(port, base + spans);
                double sdkEndToEnd = spans / ((System.nanoTime() - s0) / 1e9);
                System.out.println(Fmt.line("SDK end to end", Fmt.rate(sdkEndToEnd) + " events/s until every event"
                        + " is a stored trace"));
                System.out.println(Fmt.line("OTLP / SDK, end to end", Fmt.percent(otlpEndToEnd / sdkEndToEnd)));
                System.out.println(Fmt.line("server log", server.countLines("ERROR") + " ERROR lines"));
            }
        }
    }

    /** Exports {@code spans} in batches from two threads; returns the spans the receiver accepted per second. */
    private static double exportAll(int port, int spans, long seed) throws Exception {
        int requests = (spans + BATCH - 1) / BATCH;
        AtomicLong next = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int e = 0; e < EXPORTERS; e++) {
            long threadSeed = seed * 31 + e;
            Thread t = new Thread(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                SplittableRandom random = new SplittableRandom(threadSeed);
                long r;
                while ((r = next.getAndIncrement()) < requests) {
                    int n = (int) Math.min(BATCH, spans - r * BATCH);
                    byte[] body = request(random, n).toByteArray();
                    try {
                        HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                                        + "/v1/traces")).header("Content-Type", "application/x-protobuf")
                                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
                        if (resp.statusCode() != 200 || ExportTraceServiceResponse.parseFrom(resp.body())
                                .getPartialSuccess().getRejectedSpans() != 0) {
                            failures.incrementAndGet();
                        }
                    } catch (Exception ex) {
                        failures.incrementAndGet();
                    }
                }
            }, "otlp-exporter-" + e);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " OTLP requests failed or were partly rejected");
        }
        return spans / ((System.nanoTime() - start) / 1e9);
    }

    private static final String[] PROVIDERS = {"openai", "anthropic", "ollama", "vllm"};
    private static final String[] MODELS = {"gpt-4o-mini", "claude-haiku", "llama3:8b", "qwen2.5-7b"};

    private static ExportTraceServiceRequest request(SplittableRandom random, int n) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        long now = Instant.now().toEpochMilli() * 1_000_000L;
        for (int i = 0; i < n; i++) {
            int p = random.nextInt(PROVIDERS.length);
            long start = now - random.nextLong(3_600_000_000_000L);
            long latency = (long) (Math.exp(6 + random.nextDouble() * 2) * 1_000_000L);
            byte[] traceId = new byte[16];
            byte[] spanId = new byte[8];
            random.nextBytes(traceId);
            random.nextBytes(spanId);
            Span.Builder s = Span.newBuilder().setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId))
                    .setName("chat " + MODELS[p]).setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                    .setStartTimeUnixNano(start).setEndTimeUnixNano(start + latency)
                    .addAttributes(kv("gen_ai.operation.name", "chat"))
                    .addAttributes(kv("gen_ai.provider.name", PROVIDERS[p]))
                    .addAttributes(kv("gen_ai.request.model", MODELS[p]))
                    .addAttributes(kv("tailaudit.task", "otlp-task-" + random.nextInt(50)))
                    .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.input_tokens")
                            .setValue(AnyValue.newBuilder().setIntValue(200 + random.nextInt(3000))))
                    .addAttributes(KeyValue.newBuilder().setKey("gen_ai.usage.output_tokens")
                            .setValue(AnyValue.newBuilder().setIntValue(10 + random.nextInt(400))))
                    .addAttributes(KeyValue.newBuilder().setKey("gen_ai.response.finish_reasons")
                            .setValue(AnyValue.newBuilder().setArrayValue(io.opentelemetry.proto.common.v1.ArrayValue
                                    .newBuilder().addValues(AnyValue.newBuilder().setStringValue("stop")))));
            scope.addSpans(s);
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "otlp-bench")))
                .addScopeSpans(scope)).build();
    }

    private static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static void sdk(EmbeddedPlatform platform, int events, long seed) throws Exception {
        SyntheticTraces traces = new SyntheticTraces(seed, Instant.now());
        try (TailAuditClient client = TailAudit.client(TailAuditConfig.builder(platform.bootstrapServers())
                .queueCapacity(200_000).build())) {
            for (int i = 0; i < events; i++) {
                while (!client.record(traces.next())) {
                    Thread.sleep(1);
                }
            }
            client.flush(Duration.ofMinutes(5));
        }
    }

    private static long stored(int port) throws Exception {
        return (long) ServerMetrics.scrape(port).get("tailaudit_ingest_records_total");
    }

    private static void awaitStored(int port, long n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (stored(port) >= n) {
                    return;
                }
            } catch (java.io.IOException e) {
                // a busy server may miss a scrape's timeout: ask again
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("fewer than " + n + " traces stored within 30 minutes");
    }
}
