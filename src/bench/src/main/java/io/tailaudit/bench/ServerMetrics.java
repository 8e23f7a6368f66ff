package io.tailaudit.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The server's Prometheus page, summed per metric name over all label sets. */
final class ServerMetrics {

    private final Map<String, Double> values;

    private ServerMetrics(Map<String, Double> values) {
        this.values = values;
    }

    static ServerMetrics scrape(int port) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IOException("GET /q/metrics answered " + resp.statusCode());
        }
        Map<String, Double> values = new HashMap<>();
        for (String line : resp.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, brace >= 0 ? brace : line.indexOf(' '));
            try {
                values.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
            } catch (NumberFormatException e) {
                // a sample this report does not need
            }
        }
        return new ServerMetrics(values);
    }

    double get(String name) {
        return values.getOrDefault(name, Double.NaN);
    }
}
