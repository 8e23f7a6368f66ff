package io.tailaudit.server.ingest.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import io.tailaudit.server.ingest.EventCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Takes one OTLP export: maps its GenAI spans onto the contract, checks every event as ingest will, and
 * produces the valid ones to the trace topic, keyed by {@code trace_id} like the SDK's, so they take the
 * same path (ingest, the ledger-free redelivery semantics, the index). It answers only once the broker has
 * acknowledged every event ({@code acks=all}): a 200 means the spans are durable in Kafka; a broker that
 * does not acknowledge in {@code tailaudit.otlp.send-timeout} is a retryable 503, and the exporter's retry
 * is a redelivery, which ingest stores once.
 */
@ApplicationScoped
public class OtlpReceiver {

    private static final Logger LOG = Logger.getLogger(OtlpReceiver.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The rejection reasons quoted in a partial success; the count covers them all. */
    private static final int QUOTED_REASONS = 5;

    /** What an export came to: spans rejected (with the message) and events sent. */
    public record Outcome(int acceptedSpans, int rejectedSpans, int ignoredSpans, int events, String message) {
    }

    /** The broker did not take the events in time; the exporter should retry. */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final OtlpConfig config;
    private final String topic;
    private final Map<String, Object> kafka;
    private final EventCheck check;
    private final GenAiSpanMapper mapper;
    private final Map<String, GenAiSpanMapper.Agent> agents;
    private final Counter accepted;
    private final Counter rejected;
    private final Counter ignored;
    private final MeterRegistry registry;
    private KafkaProducer<String, byte[]> producer;
    private volatile boolean stopping;

    OtlpReceiver(OtlpConfig config, @ConfigProperty(name = "tailaudit.ingest.topic", defaultValue = "tailaudit.traces") String topic,
                 @Identifier("default-kafka-broker") Map<String, Object> kafka, EventCheck check, MeterRegistry registry) {
        if (!config.taskFallback().equals("service") && !config.taskFallback().equals("reject")) {
            throw new IllegalArgumentException("tailaudit.otlp.task-fallback must be service or reject, got "
                    + config.taskFallback());
        }
        this.config = config;
        this.topic = topic;
        this.kafka = kafka;
        this.check = check;
        this.mapper = new GenAiSpanMapper(new DeploymentKinds(config.localProviders(), config.cloudProviders(),
                config.localAddresses()), config.taskFallback().equals("service"));
        int cacheSize = Math.max(0, config.agentCacheSize());
        this.agents = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, GenAiSpanMapper.Agent> eldest) {
                return size() > cacheSize;
            }
        });
        this.registry = registry;
        this.accepted = Counter.builder("tailaudit.otlp.spans").tag("outcome", "accepted")
                .description("OTLP spans mapped to a trace and produced to the trace topic").register(registry);
        this.rejected = Counter.builder("tailaudit.otlp.spans").tag("outcome", "rejected")
                .description("OTLP inference spans that could not be mapped (partial_success)").register(registry);
        this.ignored = Counter.builder("tailaudit.otlp.spans").tag("outcome", "ignored")
                .description("OTLP spans that are not GenAI inferences (agents, tools, other spans)").register(registry);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        synchronized (this) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
        }
    }

    void countRequest(String result) {
        registry.counter("tailaudit.otlp.requests", "result", result).increment();
    }

    public Outcome export(ExportTraceServiceRequest request) throws Unavailable {
        // concurrent exports map side by side; the agent memory is locked per lookup, not per export
        GenAiSpanMapper.Result mapped = mapper.map(request, agents::get);
        agents.putAll(mapped.agentsById());     // seen agents only: an unseen parent is not remembered
        List<String> reasons = new ArrayList<>();
        int rejectedSpans = mapped.rejected().size();
        for (GenAiSpanMapper.Rejected r : mapped.rejected()) {
            quote(reasons, "span " + cut(r.spanName()) + ": " + r.reason());
        }
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(mapped.events().size());
        int traces = 0;
        for (GenAiSpanMapper.Event e : mapped.events()) {
            byte[] bytes;
            try {
                bytes = JSON.writeValueAsBytes(e.json());
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("a tree of plain values always serialises", ex);
            }
            Optional<EventCheck.Violation> v = check.violation(bytes);
            if (v.isPresent()) {
                if (!e.feedback()) {
                    rejectedSpans++;
                }
                quote(reasons, (e.feedback() ? "evaluation of " : "span ") + e.traceId() + ": " + v.get());
                continue;
            }
            traces += e.feedback() ? 0 : 1;
            records.add(new ProducerRecord<>(topic, e.traceId(), bytes));
        }
        send(records);
        accepted.increment(traces);
        rejected.increment(rejectedSpans);
        ignored.increment(mapped.ignored());
        if (rejectedSpans > 0) {
            LOG.debugf("OTLP export: %d spans rejected, first: %s", rejectedSpans, reasons.get(0));
        }
        String message = reasons.isEmpty() ? "" : String.join("; ", reasons)
                + (reasons.size() == QUOTED_REASONS ? "; ..." : "");
        return new Outcome(traces, rejectedSpans, mapped.ignored(), records.size(), message);
    }

    private static void quote(List<String> reasons, String reason) {
        if (reasons.size() < QUOTED_REASONS) {
            reasons.add(reason);
        }
    }

    private static String cut(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private void send(List<ProducerRecord<String, byte[]>> records) throws Unavailable {
        if (records.isEmpty()) {
            return;
        }
        KafkaProducer<String, byte[]> p = producer();
        long deadline = System.nanoTime() + config.sendTimeout().toNanos();
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        try {
            for (ProducerRecord<String, byte[]> r : records) {
                sent.add(p.send(r));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            throw new Unavailable("the broker did not acknowledge the spans within " + config.sendTimeout());
        } catch (ExecutionException e) {
            throw new Unavailable("the broker refused the spans: " + e.getCause().getClass().getSimpleName());
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new Unavailable("the broker is unavailable: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() throws Unavailable {
        if (stopping) {
            throw new Unavailable("the server is stopping");
        }
        if (producer == null) {
            long timeout = Math.max(1000, config.sendTimeout().toMillis());
            Map<String, Object> props = new HashMap<>(kafka);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, timeout / 2));
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) (timeout + 5));
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "tailaudit-otlp");
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }
}
