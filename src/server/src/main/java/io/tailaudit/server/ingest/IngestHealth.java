package io.tailaudit.server.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.Instant;

/**
 * The ingest consumer's part of {@code /q/health}: live while its loop thread runs (the supervisor restarts
 * a loop that dies) or after the broker refused this member for good (a shared instance id: restarting the
 * pod would only fence the other one again); ready while it polls (a poll returns at least every poll
 * timeout, so no poll for a minute means it is stuck), storage is not failing and the role has not stopped. PostgreSQL and Kafka have their own checks.
 */
@ApplicationScoped
class IngestHealth {

    private static final Duration STALE_POLL = Duration.ofMinutes(1);

    private final IngestService ingest;

    private final java.time.Clock clock;

    IngestHealth(IngestService ingest, java.time.Clock clock) {
        this.clock = clock;
        this.ingest = ingest;
    }

    @Produces
    @Liveness
    HealthCheck alive() {
        return () -> {
            IngestService.ConsumerState s = ingest.consumerState();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("ingest consumer loop");
            if (!s.enabled()) {
                return b.up().withData("role", "disabled").build();
            }
            if (s.stoppedBecause() != null) {
                // the broker refused this member: a restart would not help (readiness reports it)
                return b.up().withData("stopped", s.stoppedBecause()).build();
            }
            return b.status(s.loopRunning()).build();
        };
    }

    @Produces
    @Readiness
    HealthCheck ready() {
        return () -> {
            IngestService.ConsumerState s = ingest.consumerState();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("ingest consumer");
            if (!s.enabled()) {
                return b.up().withData("role", "disabled").build();
            }
            Instant now = clock.instant();
            boolean polling = s.lastPoll() != null && s.lastPoll().isAfter(now.minus(STALE_POLL));
            b.withData("last_poll", s.lastPoll() == null ? "never" : s.lastPoll().toString())
                    .withData("lag_records", s.lagRecords());
            if (s.stoppedBecause() != null) {
                b.withData("stopped", s.stoppedBecause());
            }
            if (s.storageFailingSince() != null) {
                b.withData("storage_failing_since", s.storageFailingSince().toString());
            }
            return b.status(s.loopRunning() && polling && s.storageFailingSince() == null).build();
        };
    }
}
