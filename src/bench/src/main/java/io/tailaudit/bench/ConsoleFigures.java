package io.tailaudit.bench;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.Cookie;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The console's figures on the analytics benchmark's data: server time of the overview and of task pages
 * (a logged-in HTTP client, p50/p95), the overview's page weight (HTML plus every stylesheet, script and
 * image it links), and the time to first render (first contentful paint) in Debian's chromium.
 */
final class ConsoleFigures {

    static final String USER = "bench";
    private static final Pattern LINKED = Pattern.compile("(?:href|src)=\"(/[^\"]+\\.(?:css|js|png|svg))\"");

    private ConsoleFigures() {
    }

    /** Server settings that give the benchmark a console user. */
    static Map<String, String> user() {
        return Map.of("quarkus.security.users.embedded.users." + USER, USER,
                "quarkus.security.users.embedded.roles." + USER, "viewer,text-reader");
    }

    /** The API's credentials for the benchmark user (HTTP Basic). */
    static String basicAuth() {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((USER + ":" + USER).getBytes(StandardCharsets.UTF_8));
    }

    static void run(String base, List<String> tasks, int requests) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String session = login(http, base);
        Random random = new Random(7);
        for (String window : List.of("7d", "30d")) {
            report("console overview /?window=" + window, http, session, requests, i -> base + "/?window=" + window);
            report("console task page /tasks/{task}?window=" + window, http, session, requests,
                    i -> base + "/tasks/" + tasks.get(random.nextInt(tasks.size())) + "?window=" + window);
        }
        weight("overview page weight (7d)", http, session, base, base + "/?window=7d");
        weight("task page weight (7d)", http, session, base, base + "/tasks/" + tasks.get(0) + "?window=7d");
        firstRender(base, session, List.of(base + "/?window=7d", base + "/tasks/" + tasks.get(0) + "?window=7d"));
    }

    private static String login(HttpClient http, String base) throws Exception {
        String form = "j_username=" + USER + "&j_password=" + USER;
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + "/j_security_check"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.discarding());
        for (String c : r.headers().allValues("set-cookie")) {
            if (c.startsWith("tailaudit-session=")) {
                return c.substring("tailaudit-session=".length(), c.indexOf(';'));
            }
        }
        throw new IllegalStateException("login as " + USER + " failed: " + r.statusCode() + " " + r.headers().map());
    }

    private static HttpResponse<byte[]> get(HttpClient http, String session, String url) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Cookie", "tailaudit-session=" + session).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode());
        }
        return r;
    }

    private static void report(String name, HttpClient http, String session, int requests,
                               java.util.function.IntFunction<String> url) throws Exception {
        for (int i = 0; i < Math.max(5, requests / 10); i++) {
            get(http, session, url.apply(i));
        }
        long[] nanos = new long[requests];
        long bytes = 0;
        for (int i = 0; i < requests; i++) {
            long t0 = System.nanoTime();
            bytes += get(http, session, url.apply(i)).body().length;
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        System.out.println(Fmt.line(name, String.format(Locale.ROOT, "p50 %.1f ms, p95 %.1f ms, max %.1f ms over %d"
                        + " requests (avg HTML %,d bytes)", nanos[requests / 2] / 1e6,
                nanos[(int) Math.ceil(requests * 0.95) - 1] / 1e6, nanos[requests - 1] / 1e6, requests, bytes / requests)));
    }

    private static void weight(String name, HttpClient http, String session, String base, String url) throws Exception {
        byte[] html = get(http, session, url).body();
        long total = html.length;
        List<String> parts = new ArrayList<>();
        parts.add("HTML " + Fmt.count(html.length));
        Matcher m = LINKED.matcher(new String(html, StandardCharsets.UTF_8));
        while (m.find()) {
            int n = get(http, session, base + m.group(1)).body().length;
            total += n;
            parts.add(m.group(1) + " " + Fmt.count(n));
        }
        System.out.println(Fmt.line(name, String.format(Locale.ROOT, "%,d bytes uncompressed (%s)", total,
                String.join(", ", parts))));
    }

    private static void firstRender(String base, String session, List<String> urls) {
        Path chromium = Path.of(System.getenv().getOrDefault("TAILAUDIT_CHROMIUM", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium)) {
            System.out.println(Fmt.line("first render", "skipped: no chromium at " + chromium
                    + " (apt-get install chromium)"));
            return;
        }
        try (Playwright pw = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
             Browser browser = pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(chromium)
                     .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic",
                             "--no-first-run", "--disable-background-networking", "--disable-component-update",
                             "--disable-sync")))) {
            for (String url : urls) {
                int runs = 20;
                double[] fcp = new double[runs];
                for (int i = 0; i < runs + 3; i++) {
                    BrowserContext ctx = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
                    ctx.addCookies(List.of(new Cookie("tailaudit-session", session).setUrl(base)));
                    Page page = ctx.newPage();
                    page.navigate(url);
                    page.waitForLoadState();
                    Object v = page.evaluate("() => new Promise(r => { const e = performance.getEntriesByName("
                            + "'first-contentful-paint'); if (e.length) { r(e[0].startTime); return; } new "
                            + "PerformanceObserver(l => r(l.getEntries()[0].startTime)).observe({type: 'paint', buffered: true}); })");
                    if (i >= 3) {
                        fcp[i - 3] = ((Number) v).doubleValue();   // the first 3 warm the server and the browser
                    }
                    ctx.close();
                }
                Arrays.sort(fcp);
                System.out.println(Fmt.line("first render " + URI.create(url).getPath(), String.format(Locale.ROOT,
                        "first contentful paint p50 %.0f ms, p95 %.0f ms over %d fresh page loads (chromium %s)",
                        fcp[runs / 2], fcp[(int) Math.ceil(runs * 0.95) - 1], runs, browser.version())));
            }
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
