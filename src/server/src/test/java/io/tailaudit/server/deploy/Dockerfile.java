package io.tailaudit.server.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The server's Dockerfile (src/main/docker/Dockerfile.jvm) read as a Docker engine reads it, for what the
 * image build does without one: the base image, the environment, the working directory, the user, the
 * exposed ports, the entrypoint, and the files its COPY lines take from the build context (src/server,
 * filtered by its .dockerignore), which {@link #stage} lays out as the image's filesystem would hold them.
 *
 * <p>Only the instructions the file uses are understood (one stage; ARG, FROM, LABEL, ENV, WORKDIR, COPY
 * without --from, USER, EXPOSE, ENTRYPOINT in exec form); any other makes reading it fail, so the checks
 * never pass over a step they cannot follow, such as a RUN.
 */
record Dockerfile(String baseImage, Map<String, String> env, String workdir, String user, Set<Integer> exposed,
                  List<String> entrypoint, List<Copy> copies) {

    /** The module's directory, where Maven runs the tests, is the build context. */
    static final Path CONTEXT = Path.of("").toAbsolutePath();
    static final Path FILE = CONTEXT.resolve("src/main/docker/Dockerfile.jvm");

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");
    private static final Pattern PAIR = Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

    /** One COPY line: sources in the build context, the destination in the image. */
    record Copy(List<String> sources, String destination) {
    }

    static Dockerfile read() {
        try {
            return parse(Files.readAllLines(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dockerfile parse(List<String> lines) {
        Map<String, String> args = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        List<Copy> copies = new ArrayList<>();
        List<Integer> exposed = new ArrayList<>();
        String from = null;
        String workdir = "/";
        String user = "root";
        List<String> entrypoint = List.of();
        for (String instruction : instructions(lines)) {
            String[] split = instruction.split("\\s+", 2);
            String keyword = split[0].toUpperCase(java.util.Locale.ROOT);
            String rest = split.length > 1 ? split[1].trim() : "";
            switch (keyword) {
                case "ARG" -> {
                    String[] kv = rest.split("=", 2);
                    args.put(kv[0], kv.length > 1 ? kv[1] : "");
                }
                case "FROM" -> {
                    if (from != null) {
                        throw new IllegalArgumentException("a second FROM (a multi-stage build) is beyond this check");
                    }
                    from = substitute(rest, args);
                }
                case "LABEL" -> {
                    // metadata only
                }
                case "ENV" -> {
                    Matcher m = PAIR.matcher(rest);
                    while (m.find()) {
                        env.put(m.group(1), unquote(substitute(m.group(2), env)));
                    }
                }
                case "WORKDIR" -> workdir = Path.of(workdir).resolve(substitute(rest, env)).normalize().toString();
                case "COPY" -> copies.add(copy(rest));
                case "USER" -> user = rest;
                case "EXPOSE" -> {
                    for (String port : rest.split("\\s+")) {
                        exposed.add(Integer.parseInt(port.replace("/tcp", "")));
                    }
                }
                case "ENTRYPOINT" -> entrypoint = execForm(rest);
                default -> throw new IllegalArgumentException(keyword + " is beyond what this check follows: " + instruction);
            }
        }
        if (from == null) {
            throw new IllegalArgumentException("no FROM");
        }
        return new Dockerfile(from, Map.copyOf(env), workdir, user, Set.copyOf(exposed), entrypoint, List.copyOf(copies));
    }

    /** The numeric user id the image runs as, if USER names one. */
    Optional<Long> uid() {
        String id = user.split(":", 2)[0];
        return id.matches("\\d+") ? Optional.of(Long.parseLong(id)) : Optional.empty();
    }

    Optional<Long> gid() {
        String[] parts = user.split(":", 2);
        return parts.length == 2 && parts[1].matches("\\d+") ? Optional.of(Long.parseLong(parts[1])) : Optional.empty();
    }

    /**
     * Copies what the COPY lines copy into {@code root}, as the image would hold it: each source must exist in
     * the build context and be admitted by its .dockerignore (else the build fails, and so does this); a
     * directory's content is copied, less what .dockerignore leaves out of the context.
     */
    void stage(Path root, DockerIgnore ignore) throws IOException {
        for (Copy copy : copies) {
            List<Path> sources = new ArrayList<>();
            for (String source : copy.sources()) {
                List<Path> matched = expand(source);
                if (matched.isEmpty() || matched.stream().noneMatch(p -> ignore.admits(CONTEXT.relativize(p)))) {
                    throw new IllegalStateException("COPY " + source + ": nothing in the build context " + CONTEXT
                            + " (after .dockerignore) matches it");
                }
                matched.stream().filter(p -> ignore.admits(CONTEXT.relativize(p))).forEach(sources::add);
            }
            Path destination = root.resolve(copy.destination().replaceFirst("^/", ""));
            boolean intoDirectory = copy.destination().endsWith("/") || sources.size() > 1;
            for (Path source : sources) {
                if (Files.isDirectory(source)) {
                    copyTree(source, destination, ignore);
                } else {
                    Path to = intoDirectory ? destination.resolve(source.getFileName().toString()) : destination;
                    Files.createDirectories(to.getParent());
                    Files.copy(source, to);
                }
            }
        }
    }

    private static void copyTree(Path from, Path to, DockerIgnore ignore) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (ignore.admits(CONTEXT.relativize(f))) {
                    Path target = to.resolve(from.relativize(f).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target);
                }
            }
        }
    }

    /** A COPY source with wildcards in its last segment only (Go's filepath.Match, as Docker's). */
    private static List<Path> expand(String source) throws IOException {
        Path path = CONTEXT.resolve(source).normalize();
        if (!path.startsWith(CONTEXT)) {
            throw new IllegalArgumentException("COPY " + source + " reaches outside the build context");
        }
        String last = path.getFileName().toString();
        if (!last.matches(".*[*?\\[].*")) {
            return Files.exists(path) ? List.of(path) : List.of();
        }
        if (path.getParent().toString().matches(".*[*?\\[].*")) {
            throw new IllegalArgumentException("COPY " + source + ": a wildcard before the last segment is beyond this check");
        }
        PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + last);
        if (!Files.isDirectory(path.getParent())) {
            return List.of();
        }
        try (Stream<Path> siblings = Files.list(path.getParent())) {
            return siblings.filter(p -> glob.matches(p.getFileName())).sorted().toList();
        }
    }

    private static Copy copy(String rest) {
        List<String> words = new ArrayList<>(List.of(rest.split("\\s+")));
        while (!words.isEmpty() && words.get(0).startsWith("--")) {
            String flag = words.remove(0);
            if (!flag.startsWith("--chown=") && !flag.startsWith("--chmod=")) {
                throw new IllegalArgumentException("COPY " + flag + " is beyond this check");
            }
        }
        if (words.size() < 2 || words.get(0).startsWith("[")) {
            throw new IllegalArgumentException("COPY needs sources and a destination (not the JSON form): " + rest);
        }
        return new Copy(List.copyOf(words.subList(0, words.size() - 1)), words.get(words.size() - 1));
    }

    private static List<String> execForm(String rest) {
        if (!rest.startsWith("[")) {
            throw new IllegalArgumentException("ENTRYPOINT in shell form (" + rest + "): the JVM would not get SIGTERM");
        }
        try {
            return List.copyOf(new JsonMapper().readValue(rest, new TypeReference<List<String>>() { }));
        } catch (IOException e) {
            throw new IllegalArgumentException("ENTRYPOINT is not a JSON array: " + rest, e);
        }
    }

    /** Logical instructions: comments and blank lines dropped, backslash continuations joined. */
    private static List<String> instructions(List<String> lines) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty() && current.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                out.add(current.append(trimmed).toString().trim());
                current.setLength(0);
            }
        }
        if (!current.isEmpty()) {
            out.add(current.toString().trim());
        }
        return out;
    }

    private static String substitute(String text, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(name, "")));
        }
        return m.appendTail(out).toString();
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1).replace("\\\"", "\"") : value;
    }

    /**
     * A .dockerignore as Docker applies it: patterns in order, each matching a path or any of its parent
     * directories (Go's filepath.Match: {@code *} stays within a segment), the last matching one deciding, a
     * leading {@code !} admitting again what an earlier one left out.
     */
    record DockerIgnore(List<String> patterns) {

        static DockerIgnore read() {
            try {
                Path file = CONTEXT.resolve(".dockerignore");
                return new DockerIgnore(Files.exists(file) ? Files.readAllLines(file).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList() : List.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        boolean admits(Path relative) {
            boolean excluded = false;
            for (String pattern : patterns) {
                boolean exception = pattern.startsWith("!");
                String glob = (exception ? pattern.substring(1) : pattern).replaceFirst("^/", "");
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                for (Path p = relative; p != null && !p.toString().isEmpty(); p = p.getParent()) {
                    if (matcher.matches(p)) {
                        excluded = !exception;
                        break;
                    }
                }
            }
            return !excluded;
        }
    }
}
