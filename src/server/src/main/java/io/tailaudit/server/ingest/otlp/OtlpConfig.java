package io.tailaudit.server.ingest.otlp;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The OTLP/HTTP receiver at {@code /v1/traces} (README "OpenTelemetry in"). */
@ConfigMapping(prefix = "tailaudit.otlp")
public interface OtlpConfig {

    /** Serve {@code /v1/traces} on replicas with the ingest role. */
    @WithDefault("true")
    boolean enabled();

    /**
     * The ingest token exporters send as {@code Authorization: Bearer <token>}. Without one every export
     * is refused (401), so an unconfigured receiver never accepts anonymous writes.
     */
    Optional<String> token();

    /** The largest request body after gzip decompression; a larger one is refused (413). */
    @WithDefault("67108864")
    long maxDecompressedBytes();

    /**
     * The task of a span with no {@code tailaudit.task} attribute (on the span, its agent or its resource):
     * {@code service} takes the resource's {@code service.name}; {@code reject} rejects the span.
     */
    @WithDefault("service")
    String taskFallback();

    /** {@code gen_ai.provider.name} values served by a model the team runs itself. */
    @WithDefault("ollama,vllm,llama_cpp,llama.cpp,lm_studio,localai,tgi,huggingface_tgi,triton,sglang,"
            + "text_generation_inference,local")
    List<String> localProviders();

    /** {@code gen_ai.provider.name} values of hosted APIs. */
    @WithDefault("openai,anthropic,aws.bedrock,azure.ai.openai,azure.ai.inference,gcp.gemini,gcp.vertex_ai,"
            + "gcp.gen_ai,mistral_ai,groq,deepseek,cohere,x_ai,perplexity,ibm.watsonx.ai,together_ai,"
            + "fireworks_ai,openrouter")
    List<String> cloudProviders();

    /**
     * {@code server.address} values that are a model the team runs itself, whatever the provider says (an
     * OpenAI-compatible client pointed at a local vLLM): host names, {@code *.suffix} patterns and CIDRs.
     */
    @WithDefault("localhost,127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7,"
            + "*.svc,*.svc.cluster.local,*.internal,*.local")
    List<String> localAddresses();

    /** How long an export waits for the broker to acknowledge its events before answering 503. */
    @WithDefault("10s")
    Duration sendTimeout();

    /** {@code invoke_agent} spans remembered for children exported in a later request. */
    @WithDefault("100000")
    int agentCacheSize();
}
