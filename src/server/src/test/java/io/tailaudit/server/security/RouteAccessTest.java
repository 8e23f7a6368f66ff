package io.tailaudit.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.server.api.TraceResource;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route the server has, found in its classes and in the OpenAPI document, against the role table below:
 * a route missing from the table (or a stale row) fails the test. Each route is tried with no credentials and
 * as each demo user, then with the path tricks that once bypassed the path permissions ({@code /api;x/...}):
 * only the principals the table names get through, and no trick gets anyone anywhere.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class RouteAccessTest {

    private static final String ANONYMOUS = "anonymous";
    private static final List<String> PRINCIPALS = List.of(ANONYMOUS, "viewer", "reader", "admin");
    private static final Set<String> SIGNED_IN = Set.of("viewer", "reader", "admin");
    private static final Set<String> EVERYONE = Set.of(ANONYMOUS, "viewer", "reader", "admin");
    private static final Set<String> ADMIN = Set.of("admin");
    /** The demo users with the text-reader role: only they read or search trace text. */
    private static final Set<String> TEXT_READERS = Set.of("reader", "admin");

    /** Who may use each route. Checked into the test on purpose: a new route must be added here, by hand. */
    private static final Map<String, Set<String>> TABLE = new LinkedHashMap<>();

    static {
        // the console
        TABLE.put("GET /login", EVERYONE);
        TABLE.put("POST /logout", EVERYONE);
        TABLE.put("GET /", SIGNED_IN);
        TABLE.put("GET /tasks/{task}", SIGNED_IN);
        TABLE.put("GET /tasks/{task}/worst", SIGNED_IN);
        TABLE.put("GET /traces", SIGNED_IN);
        TABLE.put("GET /traces/{id}", SIGNED_IN);
        TABLE.put("GET /dlq", SIGNED_IN);
        TABLE.put("GET /search", TEXT_READERS);
        TABLE.put("GET /settings", SIGNED_IN);
        TABLE.put("POST /settings/tasks/{task}", ADMIN);
        TABLE.put("POST /settings/prices", ADMIN);
        TABLE.put("POST /settings/local", ADMIN);
        TABLE.put("GET /alerts", SIGNED_IN);
        TABLE.put("POST /alerts/rules/{id}", ADMIN);
        TABLE.put("POST /alerts/rules/{id}/toggle", ADMIN);
        TABLE.put("POST /alerts/silences", ADMIN);
        TABLE.put("POST /alerts/silences/{id}/end", ADMIN);
        // the API
        TABLE.put("GET /api/v1/traces", SIGNED_IN);
        TABLE.put("GET /api/v1/traces/{traceId}", SIGNED_IN);
        TABLE.put("GET /api/v1/dlq", SIGNED_IN);
        TABLE.put("GET /api/v1/producers", SIGNED_IN);
        TABLE.put("GET /producers", SIGNED_IN);
        TABLE.put("GET /api/v1/tasks", SIGNED_IN);
        TABLE.put("GET /api/v1/tasks/{task}", SIGNED_IN);
        TABLE.put("GET /api/v1/tasks/{task}/worst", SIGNED_IN);
        TABLE.put("GET /api/v1/tasks/{task}/what-if", SIGNED_IN);
        TABLE.put("GET /api/v1/routing", SIGNED_IN);
        TABLE.put("GET /api/v1/search", TEXT_READERS);
        TABLE.put("GET /api/v1/tasks/{task}/scope-reference", SIGNED_IN);
        TABLE.put("PUT /api/v1/tasks/{task}/scope-reference", ADMIN);
        TABLE.put("POST /api/v1/index/rebuild", ADMIN);
        TABLE.put("POST /api/v1/index/drift", ADMIN);
        TABLE.put("GET /api/v1/tasks/{task}/settings", SIGNED_IN);
        TABLE.put("PUT /api/v1/tasks/{task}/settings", ADMIN);
        TABLE.put("GET /api/v1/cost-model", SIGNED_IN);
        TABLE.put("PUT /api/v1/cost-model/prices/{provider}/{model}", ADMIN);
        TABLE.put("DELETE /api/v1/cost-model/prices/{provider}/{model}", ADMIN);
        TABLE.put("PUT /api/v1/cost-model/local", ADMIN);
        TABLE.put("GET /api/v1/alerts", SIGNED_IN);
        TABLE.put("GET /api/v1/alerts/history", SIGNED_IN);
        TABLE.put("POST /api/v1/alerts/evaluate", ADMIN);
        TABLE.put("GET /api/v1/alerts/rules", SIGNED_IN);
        TABLE.put("POST /api/v1/alerts/rules", ADMIN);
        TABLE.put("GET /api/v1/alerts/rules/{id}", SIGNED_IN);
        TABLE.put("PUT /api/v1/alerts/rules/{id}", ADMIN);
        TABLE.put("DELETE /api/v1/alerts/rules/{id}", ADMIN);
        TABLE.put("GET /api/v1/alerts/silences", SIGNED_IN);
        TABLE.put("POST /api/v1/alerts/silences", ADMIN);
        TABLE.put("DELETE /api/v1/alerts/silences/{id}", ADMIN);
        TABLE.put("GET /api/v1/alerts/channels", SIGNED_IN);
        TABLE.put("POST /api/v1/alerts/channels", ADMIN);
        TABLE.put("PUT /api/v1/alerts/channels/{id}", ADMIN);
        TABLE.put("DELETE /api/v1/alerts/channels/{id}", ADMIN);
        TABLE.put("GET /api/v1/alerts/notifications", SIGNED_IN);
        // OTLP in: no console user, only the ingest token (OtlpIngestTest)
        TABLE.put("POST /v1/traces", Set.of());
    }

    /** Values for path parameters: none of them names anything that exists, so writes change nothing. */
    private static final Map<String, String> PARAMS = Map.of("{id}", "987654321", "{task}", "no-such-task-route-test",
            "{traceId}", "no-such-trace", "{provider}", "no-such-provider", "{model}", "no-such-model");

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void every_route_is_in_the_role_table_and_the_table_names_no_route_that_is_gone() throws Exception {
        Set<String> routes = routesInClasses();
        assertThat(routes).as("routes of the server missing from the role table")
                .isSubsetOf(TABLE.keySet());
        assertThat(TABLE.keySet()).as("rows of the role table that no route has any more")
                .isSubsetOf(routes);
        assertThat(routesInOpenApi()).as("OpenAPI routes missing from the role table").isSubsetOf(TABLE.keySet());
    }

    @Test
    void only_the_roles_in_the_table_get_through() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Set<String>> row : TABLE.entrySet()) {
            String method = row.getKey().substring(0, row.getKey().indexOf(' '));
            String path = concrete(row.getKey().substring(row.getKey().indexOf(' ') + 1));
            for (String who : PRINCIPALS) {
                HttpResponse<String> r = send(method, path, who);
                boolean through = gotThrough(r);
                if (through != row.getValue().contains(who)) {
                    wrong.add(row.getKey() + " as " + who + ": " + r.statusCode() + " "
                            + r.headers().firstValue("Location").orElse("") + " (expected "
                            + (through ? "refused" : "through") + ")");
                }
                if (!through) {
                    assertThat(r.body()).as(row.getKey() + " as " + who).doesNotContain("Exception");
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void path_tricks_get_no_one_anywhere() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String route : TABLE.keySet()) {
            String method = route.substring(0, route.indexOf(' '));
            String path = concrete(route.substring(route.indexOf(' ') + 1));
            for (String variant : variants(path)) {
                for (String who : PRINCIPALS) {
                    HttpResponse<String> r = send(method, variant, who);
                    if (gotThrough(r) || r.statusCode() >= 500) {
                        wrong.add(method + " " + variant + " as " + who + ": " + r.statusCode() + " " + r.body());
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** The variants of a path that a router and a path permission could read differently. */
    static List<String> variants(String path) {
        int second = path.indexOf('/', 1);
        String first = second < 0 ? path : path.substring(0, second);
        String rest = second < 0 ? "" : path.substring(second);
        List<String> v = new ArrayList<>();
        v.add(first + ";x" + rest);
        v.add(first + ";" + rest);
        v.add(first + "%3Bx" + rest);
        v.add(first + "%3b" + rest);
        v.add("/" + path);
        v.add("/." + path);
        v.add(first + "/." + rest);
        v.add(first + "/.." + path);
        if (!first.equals("/")) {
            v.add(first.toUpperCase(java.util.Locale.ROOT) + rest);
            v.add(first + "//" + rest.substring(Math.min(1, rest.length())));
        }
        return v;
    }

    /**
     * Through = past authentication and authorisation: anything but a 401, a 403, a redirect to the login
     * page, a refused path (400) or a throttled login.
     */
    private static boolean gotThrough(HttpResponse<String> r) {
        int s = r.statusCode();
        if (s == 401 || s == 403 || s == 429) {
            return false;
        }
        if (s == 302) {      // the form mechanism's challenge; a page's own redirect after a post is a 303
            return !r.headers().firstValue("Location").orElse("").contains("/login");
        }
        // the guard's refusal, or the HTTP codec's own for a request target it cannot parse ("//")
        if (s == 400 && (r.body().contains("request path") || r.body().isEmpty())) {
            return false;
        }
        return s != 404 || !r.body().contains("no resource at");
    }

    private HttpResponse<String> send(String method, String path, String who) throws IOException, InterruptedException {
        URI uri = URI.create(base.toString().replaceAll("/$", "") + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        boolean console = !path.contains("api/v1");
        String csrf = csrfToken();
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
        if (!method.equals("GET") && !method.equals("DELETE")) {
            if (console) {
                b.header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "tailaudit-csrf=" + csrf);
                body = HttpRequest.BodyPublishers.ofString("csrf-token=" + csrf);
            } else {
                b.header("Content-Type", "application/json");
                body = HttpRequest.BodyPublishers.ofString("{}");
            }
        }
        if (!who.equals(ANONYMOUS)) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((who + ":" + who).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.method(method, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String csrfToken;

    /** A token the console's CSRF check accepts: its cookie's value, sent back as the form field. */
    private String csrfToken() throws IOException, InterruptedException {
        if (csrfToken == null) {
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base.toString()
                    .replaceAll("/$", "") + "/login")).build(), HttpResponse.BodyHandlers.ofString());
            csrfToken = login.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("tailaudit-csrf="))
                    .map(c -> c.substring("tailaudit-csrf=".length(), c.indexOf(';'))).findFirst().orElseThrow();
        }
        return csrfToken;
    }

    private static String concrete(String template) {
        String p = template;
        for (Map.Entry<String, String> e : PARAMS.entrySet()) {
            p = p.replace(e.getKey(), e.getValue());
        }
        return p;
    }

    /** Every JAX-RS method of the server's own classes, as "METHOD /path/{param}". */
    private static Set<String> routesInClasses() throws Exception {
        java.nio.file.Path root = Paths.get(TraceResource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> routes = new TreeSet<>();
        try (Stream<java.nio.file.Path> files = Files.walk(root)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                String name = root.relativize(f).toString();
                if (!name.endsWith(".class") || name.contains("$")) {
                    continue;
                }
                Class<?> c = Class.forName(name.replace('/', '.').replace(".class", ""), false,
                        Thread.currentThread().getContextClassLoader());
                Path classPath = c.getAnnotation(Path.class);
                if (classPath == null) {
                    continue;
                }
                for (Method m : c.getDeclaredMethods()) {
                    String verb = verb(m);
                    if (verb != null) {
                        Path sub = m.getAnnotation(Path.class);
                        routes.add(verb + " " + join(classPath.value(), sub == null ? "" : sub.value()));
                    }
                }
            }
        }
        return routes;
    }

    private Set<String> routesInOpenApi() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "")
                + "/q/openapi?format=json")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Set<String> routes = new TreeSet<>();
        JsonNode paths = JSON.readTree(r.body()).path("paths");
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            p.getValue().fieldNames().forEachRemaining(verb -> {
                if (Set.of("get", "post", "put", "delete", "patch").contains(verb)) {
                    routes.add(verb.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey());
                }
            });
        }
        assertThat(routes).as("the OpenAPI document lists the API").isNotEmpty();
        return routes;
    }

    private static String verb(Method m) {
        for (var a : m.getAnnotations()) {
            HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
            if (h != null) {
                return h.value();
            }
        }
        return null;
    }

    private static String join(String a, String b) {
        String s = ("/" + a + "/" + b).replaceAll("/+", "/");
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
