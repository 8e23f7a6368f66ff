package io.tailaudit.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Renders {@code deploy/kubernetes} with the real kustomize, the one built into kubectl (kubectl kustomize
 * works offline, no cluster needed), as {@code kubectl apply -k} would. The tree is rendered from a copy
 * under {@code target/} in which every {@code secrets/*.env} is the committed {@code *.env.example}: a
 * developer's real secret files are never read, and the examples are proved to hold every key needed.
 */
final class Kustomize {

    /** deploy/kubernetes, from the server module's directory (where Maven runs the tests). */
    static final Path DEPLOY = Path.of("..", "..", "deploy", "kubernetes").toAbsolutePath().normalize();
    static final String BASE = "base";
    static final String EXAMPLE = "overlays/example";

    /** kustomize 2.x (kubectl before 1.21) knows neither envs nor replicas nor labels of today's format. */
    private static final int MIN_KUSTOMIZE_MAJOR = 4;
    private static final Pattern VERSION = Pattern.compile("\"kustomizeVersion\"\\s*:\\s*\"v?(\\d+)\\.");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new JsonMapper();
    /** Each directory is rendered once per test JVM (a kubectl run is some 100 ms). */
    private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    /** The objects {@code kubectl kustomize <dir>} renders, {@code dir} relative to deploy/kubernetes. */
    static List<JsonNode> render(String dir) {
        return RENDERED.computeIfAbsent(dir, Kustomize::renderCopy);
    }

    private static List<JsonNode> renderCopy(String dir) {
        Path copy = copyWithExampleSecrets();
        String yaml = kubectl("kustomize", copy.resolve(dir).toString());
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isEmpty()) {
                    objects.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("kubectl kustomize " + dir + " printed no YAML", e);
        }
        return List.copyOf(objects);
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path copyWithExampleSecrets() {
        try {
            Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            Path root = Files.createTempDirectory(target, "kustomize-");
            try (Stream<Path> files = Files.walk(DEPLOY)) {
                for (Path f : files.toList()) {
                    Path to = root.resolve(DEPLOY.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else if (isSecretFile(f)) {
                        continue;                                   // never a real secret
                    } else {
                        Files.copy(f, to);
                        String name = f.getFileName().toString();
                        if (isInSecrets(f) && name.endsWith(".env.example")) {
                            Files.copy(f, to.resolveSibling(name.substring(0, name.length() - ".example".length())));
                        }
                    }
                }
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isSecretFile(Path f) {
        return isInSecrets(f) && f.getFileName().toString().endsWith(".env");
    }

    private static boolean isInSecrets(Path f) {
        return f.getParent() != null && f.getParent().getFileName().toString().equals("secrets");
    }

    private static String kubectl(String... args) {
        checkKustomizeVersion();
        return run(args);
    }

    private static void checkKustomizeVersion() {
        Matcher m = VERSION.matcher(run("version", "--client", "-o", "json"));
        if (!m.find() || Integer.parseInt(m.group(1)) < MIN_KUSTOMIZE_MAJOR) {
            throw new IllegalStateException("kubectl's kustomize must be v" + MIN_KUSTOMIZE_MAJOR
                    + " or newer (kubectl 1.21+) to render deploy/kubernetes");
        }
    }

    private static String run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("kubectl");
        cmd.addAll(List.of(args));
        try {
            Path err = Files.createTempFile("kubectl", ".err");
            Process p = start(cmd, err);
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 60 s");
            }
            String stderr = Files.readString(err);
            Files.delete(err);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + stderr);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Process start(List<String> cmd, Path err) {
        try {
            return new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("kubectl is needed to render deploy/kubernetes with its kustomize (no"
                    + " cluster): not found on PATH", e);
        }
    }
}
