package io.tailaudit.server.ingest.otlp;

import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.tailaudit.server.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * OTLP/HTTP trace exports ({@code POST /v1/traces}, protobuf or JSON, optionally gzip), as the OpenTelemetry
 * protocol specifies them: 200 with {@code partial_success} naming the rejected spans and why; 400 for a body
 * the protocol cannot read; 415 for another encoding; 413 past the size bound; 503 with Retry-After while the
 * broker does not acknowledge (retryable); 401 without the ingest token. Error bodies are
 * {@code google.rpc.Status} in the request's encoding. Served by the ingest role only.
 */
@Path(OtlpResource.PATH)
public class OtlpResource {

    static final String PATH = "/v1/traces";
    private static final int INVALID_ARGUMENT = 3;
    private static final int UNAVAILABLE = 14;
    private static final int UNIMPLEMENTED = 12;
    private static final int RESOURCE_EXHAUSTED = 8;

    private final OtlpReceiver receiver;
    private final OtlpConfig config;
    private final boolean ingestRole;

    OtlpResource(OtlpReceiver receiver, OtlpConfig config,
                 @ConfigProperty(name = "tailaudit.ingest.enabled", defaultValue = "true") boolean ingestRole) {
        this.receiver = receiver;
        this.config = config;
        this.ingestRole = ingestRole;
    }

    @POST
    @RolesAllowed(Roles.OTLP_WRITER)
    @Consumes(MediaType.WILDCARD)
    public Response export(byte[] body, @HeaderParam("Content-Type") String contentType,
                           @HeaderParam("Content-Encoding") String contentEncoding) {
        Boolean json = OtlpCodec.isJson(contentType);
        if (json == null) {
            receiver.countRequest("unsupported");
            return error(415, UNIMPLEMENTED, "Content-Type must be " + OtlpCodec.PROTOBUF + " or "
                    + OtlpCodec.JSON_TYPE, false);
        }
        if (!config.enabled() || !ingestRole) {
            receiver.countRequest("unavailable");
            return error(404, UNIMPLEMENTED, "this replica does not receive OTLP (it has no ingest role, or"
                    + " tailaudit.otlp.enabled=false)", json);
        }
        ExportTraceServiceRequest request;
        try {
            byte[] plain = OtlpCodec.decompress(body == null ? new byte[0] : body, contentEncoding,
                    config.maxDecompressedBytes());
            request = OtlpCodec.decode(plain, json);
        } catch (OtlpCodec.BadRequest e) {
            receiver.countRequest(e.status == 413 ? "too_large" : e.status == 415 ? "unsupported" : "bad_request");
            return error(e.status, e.status == 413 ? RESOURCE_EXHAUSTED : e.status == 415 ? UNIMPLEMENTED
                    : INVALID_ARGUMENT, e.getMessage(), json);
        }
        OtlpReceiver.Outcome outcome;
        try {
            outcome = receiver.export(request);
        } catch (OtlpReceiver.Unavailable e) {
            receiver.countRequest("unavailable");
            return Response.status(503).header("Retry-After", "5")
                    .type(json ? OtlpCodec.JSON_TYPE : OtlpCodec.PROTOBUF)
                    .entity(OtlpCodec.status(UNAVAILABLE, e.getMessage(), json)).build();
        }
        ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
        if (outcome.rejectedSpans() > 0 || !outcome.message().isEmpty()) {
            response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                    .setRejectedSpans(outcome.rejectedSpans()).setErrorMessage(outcome.message()));
        }
        receiver.countRequest(outcome.rejectedSpans() > 0 ? "partial" : "ok");
        return Response.ok(OtlpCodec.encode(response.build(), json), json ? OtlpCodec.JSON_TYPE : OtlpCodec.PROTOBUF)
                .build();
    }

    private static Response error(int status, int grpcCode, String message, boolean json) {
        return Response.status(status).type(json ? OtlpCodec.JSON_TYPE : OtlpCodec.PROTOBUF)
                .entity(OtlpCodec.status(grpcCode, message, json)).build();
    }
}
