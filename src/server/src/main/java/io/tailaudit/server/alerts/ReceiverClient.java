package io.tailaudit.server.alerts;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * POSTs a notification to a receiver, and says in a short line what went wrong when it was not accepted.
 * The URL goes through {@link TargetPolicy} at every attempt and the connection goes to an address it
 * checked (the Host header, TLS server name and certificate check keep the URL's host), so a name that
 * resolves elsewhere since the channel was saved reaches nothing it should not. Redirects are not followed;
 * at most {@code max-response-bytes} of an answer are read, and only a short redacted snippet of it is kept,
 * since {@code last_error} is shown on the console.
 */
@ApplicationScoped
class ReceiverClient {

    /** Characters of a receiver's answer kept in an error. */
    static final int SNIPPET = 120;
    // long runs of token characters (keys, session ids, signed URLs' signatures) are not repeated
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9+/=_\\-]{16,}");
    private static final Pattern URL = Pattern.compile("(?i)\\b(https?)://([^/\\s\"'<>]+)[^\\s\"'<>]*");

    private final TargetPolicy targets;
    private final AlertsConfig config;
    private final HttpClient http;

    ReceiverClient(TargetPolicy targets, AlertsConfig config, Vertx vertx) {
        if (config.maxResponseBytes() < 0) {
            throw new IllegalArgumentException("tailaudit.alerts.max-response-bytes must be >= 0, got "
                    + config.maxResponseBytes());
        }
        this.targets = targets;
        this.config = config;
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.deliveryTimeout().toMillis());
        // no keep-alive: each attempt connects to the address it has just checked
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout(timeout)
                .setVerifyHost(true).setTryUseCompression(false));
    }

    @PreDestroy
    void close() {
        http.close();
    }

    /** POSTs the body with these headers; null when the receiver accepted it (2xx), else what went wrong. */
    String post(String url, Map<String, String> headers, String body) {
        TargetPolicy.Decision decision = targets.check(url);
        if (decision instanceof TargetPolicy.Refused refused) {
            return "refused target: " + refused.reason();
        }
        TargetPolicy.Allowed allowed = (TargetPolicy.Allowed) decision;
        URI uri = URI.create(url.trim());
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        long timeout = config.deliveryTimeout().toMillis();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setSsl(tls)
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(allowed.addresses().get(0), port)))
                .setHost(allowed.host().replaceAll("^\\[|]$", "")).setPort(port).setURI(path)
                .setFollowRedirects(false).setConnectTimeout(timeout).setIdleTimeout(timeout);
        headers.forEach(options::putHeader);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        http.request(options).compose(request -> {
            sent.set(request);
            return request.send(Buffer.buffer(body.getBytes(StandardCharsets.UTF_8)));
        }).onSuccess(response -> {
            // an accepted notification needs nothing of the answer; a refusal, its start for last_error
            boolean accepted = response.statusCode() / 100 == 2;
            String status = "HTTP " + response.statusCode();
            Buffer read = Buffer.buffer();
            Runnable done = () -> outcome.complete(accepted ? null : status + snippet(read));
            response.exceptionHandler(e -> done.run());
            response.endHandler(v -> done.run());
            response.handler(chunk -> {
                int room = config.maxResponseBytes() - read.length();
                read.appendBuffer(chunk.length() <= room ? chunk : chunk.getBuffer(0, Math.max(room, 0)));
                if (read.length() >= config.maxResponseBytes() && !outcome.isDone()) {
                    done.run();
                    response.request().reset();
                }
            });
        }).onFailure(e -> outcome.complete(failure(e)));
        try {
            return outcome.get(timeout + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            HttpClientRequest request = sent.get();
            if (request != null) {
                request.reset();
            }
            return timedOut();
        } catch (ExecutionException e) {
            return failure(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private String failure(Throwable e) {
        String name = e.getClass().getSimpleName();
        if (name.contains("Timeout")) {
            return timedOut();
        }
        return "connection failed: " + name + (e.getMessage() == null ? "" : " " + redact(e.getMessage()));
    }

    private String timedOut() {
        long ms = config.deliveryTimeout().toMillis();
        return "timed out after " + (ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms");
    }

    /** ": " and the start of a receiver's answer, on one line, tokens and URL paths left out; empty if none. */
    static String snippet(Buffer body) {
        String text = redact(body.toString(StandardCharsets.UTF_8));
        return text.isEmpty() ? "" : ": " + text;
    }

    static String redact(String text) {
        String line = text.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
        line = URL.matcher(line).replaceAll("$1://$2/...");
        line = TOKEN.matcher(line).replaceAll("[redacted]");
        return line.length() > SNIPPET ? line.substring(0, SNIPPET) + "..." : line;
    }
}
