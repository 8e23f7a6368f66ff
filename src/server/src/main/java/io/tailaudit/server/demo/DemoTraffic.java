package io.tailaudit.server.demo;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.TailAudit;
import io.tailaudit.sdk.TailAuditClient;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.ingest.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Demo traffic through the real path: the SDK into Kafka, consumed by ingest. On first start it backfills
 * the configured history (timestamps in the past, at a bounded rate, with a progress line); afterwards
 * it keeps a live trickle. Where it stopped is kept in PostgreSQL, so a restart fills only the gap.
 */
@ApplicationScoped
class DemoTraffic {

    private static final Logger LOG = Logger.getLogger(DemoTraffic.class);
    private static final Duration STEP = Duration.ofMinutes(1);
    private static final Duration SAVE_EVERY = Duration.ofSeconds(30);

    private final DemoConfig config;
    private final Map<String, Object> kafka;
    private final String topic;
    private final DemoState state;
    private final DemoScope scope;
    private final Clock clock;
    private volatile boolean running;
    private Thread thread;
    private long invalidSent;
    private Instant nextInvalid;

    DemoTraffic(DemoConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
                IngestConfig ingest, DemoState state, DemoScope scope, Clock clock) {
        if (config.backfillRate() < 1) {
            throw new IllegalArgumentException("tailaudit.demo.backfill-rate must be >= 1, got " + config.backfillRate());
        }
        if (!(config.liveSpeed() > 0)) {
            throw new IllegalArgumentException("tailaudit.demo.live-speed must be > 0, got " + config.liveSpeed());
        }
        this.config = config;
        this.kafka = kafka;
        this.topic = ingest.topic();
        this.state = state;
        this.scope = scope;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "tailaudit-demo");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread.join(15_000);
        }
    }

    private void run() {
        TailAuditConfig.Builder sdk = TailAuditConfig.builder(String.valueOf(kafka.get("bootstrap.servers")))
                .topic(topic).queueCapacity(50_000).clientId("tailaudit-demo");
        kafka.forEach((k, v) -> {
            if (!k.equals("bootstrap.servers") && !k.endsWith("serializer") && !k.endsWith("deserializer")) {
                sdk.producerProperty(k, v);
            }
        });
        Map<String, Object> raw = new HashMap<>(kafka);
        raw.put("client.id", "tailaudit-demo-invalid");
        TailAuditClient client = TailAudit.client(sdk.build());
        KafkaProducer<String, byte[]> invalid = new KafkaProducer<>(raw, new StringSerializer(), new ByteArraySerializer());
        try {
            Instant now = clock.instant();
            Instant onset = now.minus(DemoCatalog.DRIFT_AGO);
            DemoGenerator generator = new DemoGenerator(new Random(), 1.0, onset);
            Instant from = state.generatedUntil().filter(t -> t.isAfter(now.minus(config.backfill())))
                    .orElse(now.minus(config.backfill()));
            nextInvalid = from.plus(config.invalidEvery());
            if (Duration.between(from, now).compareTo(STEP) > 0) {
                from = backfill(client, invalid, generator, from, now);
            }
            scope.pinInBackground();
            live(client, invalid, new DemoGenerator(new Random(), config.liveSpeed(), onset), from);
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("demo traffic stopped", e);
            } else {
                // shutdown interrupted a send: nothing is wrong
                LOG.debugf("demo traffic stopped by shutdown: %s", e.getMessage());
            }
        } finally {
            // the shutdown's interrupt would make the producers' close give up on flushing, and log it
            boolean interrupted = Thread.interrupted();
            invalid.close(Duration.ofSeconds(5));
            client.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Instant backfill(TailAuditClient client, KafkaProducer<String, byte[]> invalid, DemoGenerator generator,
                             Instant from, Instant to) {
        LOG.infof("demo backfill started from=%s to=%s rate_limit=%d/s", from, to, config.backfillRate());
        long started = System.nanoTime();
        long lastLog = started;
        long sent = 0;
        Instant lastSave = from;
        Instant t = from;
        while (running && t.isBefore(to)) {
            Instant end = t.plus(STEP).isAfter(to) ? to : t.plus(STEP);
            sent += send(client, invalid, generator, t, end);
            t = end;
            pace(started, sent);
            if (System.nanoTime() - lastLog > 5_000_000_000L) {
                lastLog = System.nanoTime();
                long pct = 100 * Duration.between(from, t).toSeconds() / Math.max(1, Duration.between(from, to).toSeconds());
                LOG.infof("demo backfill progress=%d%% through=%s events=%d", pct, t, sent);
            }
            if (Duration.between(lastSave, t).toHours() >= 6) {
                state.save(t);
                lastSave = t;
            }
        }
        state.save(t);
        LOG.infof("demo backfill done events=%d seconds=%d", sent, (System.nanoTime() - started) / 1_000_000_000L);
        return t;
    }

    private void live(TailAuditClient client, KafkaProducer<String, byte[]> invalid, DemoGenerator generator, Instant from) {
        Instant t = from;
        Instant lastSave = t;
        while (running) {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                break;
            }
            Instant now = clock.instant();
            send(client, invalid, generator, t, now);
            t = now;
            if (Duration.between(lastSave, t).compareTo(SAVE_EVERY) >= 0) {
                state.save(t);
                lastSave = t;
            }
        }
        state.save(t);
    }

    private long send(TailAuditClient client, KafkaProducer<String, byte[]> invalid, DemoGenerator generator,
                      Instant from, Instant to) {
        long n = 0;
        for (DemoTask task : DemoCatalog.TASKS) {
            List<Object> events = generator.between(task, from, to);
            for (Object e : events) {
                // the demo must not drop its own history: wait for room instead (a real caller would not)
                while (running && !(e instanceof Trace tr ? client.record(tr) : client.feedback((Feedback) e))) {
                    sleepQuietly(5);
                }
            }
            n += events.size();
        }
        while (!nextInvalid.isAfter(to)) {
            InvalidEvents.Keyed bad = InvalidEvents.nth(invalidSent++, nextInvalid);
            invalid.send(new ProducerRecord<>(topic, bad.key(), bad.value()));
            nextInvalid = nextInvalid.plus(config.invalidEvery());
            n++;
        }
        return n;
    }

    private void pace(long startedNanos, long sent) {
        long dueNanos = sent * 1_000_000_000L / config.backfillRate();
        long ahead = dueNanos - (System.nanoTime() - startedNanos);
        if (ahead > 1_000_000) {
            sleepQuietly(ahead / 1_000_000);
        }
    }

    private void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
