package io.tailaudit.server.console;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Deployment;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.Usage;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console in a real browser: Debian's chromium driven by Playwright, against the real platform. Each
 * page is saved as a screenshot under target/screenshots (1280 px wide, and 390 px for the overview and
 * a task page).
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {

    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 6);
    /** A local chat task whose worst 5% are escalations the users see: MOVE_TO_CLOUD. */
    private static final String FLAGGED = "console-support-" + SUFFIX;
    /** A healthy local task: KEEP. */
    private static final String HEALTHY = "console-tagging-" + SUFFIX;
    /**
     * A local chat task failing visibly 30 of 240 (all at <= 8k context; 60 traces over 8k), with a cloud canary
     * of 60 clean traces: MOVE_TO_CLOUD, confirmed by the canary.
     */
    private static final String CANARY = "console-canary-" + SUFFIX;
    /** Markup in a task name, a prompt and a tag: shown as text, never run. */
    private static final String XSS_TASK = "console-<img src=x onerror=window.__xss=1>-" + SUFFIX;
    private static final String XSS_PROMPT = "<script>window.__xss=2</script> what is my balance?";
    private static final String XSS_TAG = "<img src=x onerror=window.__xss=3>";
    private static final String SESSION = "console-session-" + SUFFIX;
    private static final Path SHOTS = Path.of("target", "screenshots");

    @TestHTTPResource("/")
    URL base;

    private Playwright playwright;
    private Browser browser;
    private String xssTraceId;
    private String chainTraceId;

    @BeforeAll
    void seedAndLaunch() throws Exception {
        Files.createDirectories(SHOTS);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Random random = new Random(11);
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        // 6 days of the flagged task, 80 a day; the last day also has traces within the last hour
        for (int i = 0; i < 480; i++) {
            Instant at = now.minus(10 + (long) (i * 18.0 * 60), ChronoUnit.SECONDS);
            boolean bad = i % 8 == 0;
            Outcome o = bad ? Outcome.ok(0.2).withEscalated(true) : Outcome.ok(0.85 + 0.1 * random.nextDouble());
            records.add(trace(FLAGGED, Category.CHAT, Deployment.local("vllm", "llama-3.1-13b-instruct"), at, o,
                    "Customer question " + i, Map.of("tenant", "t-" + (i % 5))));
        }
        for (int i = 0; i < 300; i++) {
            Instant at = now.minus(20 + (long) (i * 28.0 * 60), ChronoUnit.SECONDS);
            records.add(trace(HEALTHY, Category.CLASSIFICATION, Deployment.local("vllm", "llama-3.1-8b-instruct"), at,
                    Outcome.ok(0.95), null, Map.of("env", "prod")));
        }
        for (int i = 0; i < 240; i++) {
            Instant at = now.minus(40 + (long) (i * 36.0 * 60), ChronoUnit.SECONDS);
            Outcome o = i % 8 == 0 ? Outcome.ok(0.2).withEscalated(true) : Outcome.ok(0.9);
            Usage usage = i % 4 == 1 ? Usage.of(12_500, 150, 12_000) : Usage.of(900, 120);
            records.add(trace(CANARY, Category.CHAT, Deployment.local("vllm", "llama-2-13b-chat"), at, o, usage));
        }
        for (int i = 0; i < 60; i++) {
            records.add(trace(CANARY, Category.CHAT, Deployment.cloud("openai", "gpt-4o"),
                    now.minus(50 + i * 3600L, ChronoUnit.SECONDS), Outcome.ok(0.9), Usage.of(900, 120)));
        }
        for (int i = 0; i < 30; i++) {
            Map.Entry<String, byte[]> r = trace(XSS_TASK, Category.CHAT, Deployment.cloud("openai", "gpt-4o-mini"),
                    now.minus(30 + i * 60L, ChronoUnit.SECONDS), Outcome.ok(0.9), XSS_PROMPT, Map.of("note", XSS_TAG));
            records.add(r);
            xssTraceId = r.getKey();
        }
        // an agent chain of three steps in one session
        for (int step = 0; step < 3; step++) {
            Trace t = Trace.builder(HEALTHY, Category.CLASSIFICATION).traceId(SESSION + "-step-" + step)
                    .occurredAt(now.minus(120 - step * 10L, ChronoUnit.SECONDS)).service("console-test")
                    .deployment(Deployment.local("vllm", "llama-3.1-8b-instruct")).latencyMs(300 + step)
                    .usage(Usage.of(500, 40)).outcome(Outcome.ok(0.9)).sessionId(SESSION).step(step).build();
            records.add(new AbstractMap.SimpleEntry<>(t.traceId(), EventWriter.write(t)));
            chainTraceId = t.traceId();
        }
        Kafka.sendAll(Kafka.TOPIC, records);
        Kafka.send(Kafka.TOPIC, "console-bad-" + SUFFIX, "{\"schema\":\"tailaudit.trace/v1\",\"task\":\"no id\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long expected = records.size();
        await().atMost(ofSeconds(120)).pollInterval(ofSeconds(1)).until(() -> Db.count(
                "SELECT count(*) FROM trace WHERE task IN (?, ?, ?, ?)", FLAGGED, HEALTHY, XSS_TASK, CANARY) == expected);

        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        String chromium = System.getProperty("tailaudit.chromium", System.getenv().getOrDefault("TAILAUDIT_CHROMIUM",
                "/usr/bin/chromium"));
        assertThat(Path.of(chromium)).as("Debian's chromium (apt-get install chromium; .ci/run installs it)")
                .exists();
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Path.of(chromium))
                .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync")));
    }

    private static Map.Entry<String, byte[]> trace(String task, Category category, Deployment deployment, Instant at,
                                                   Outcome outcome, String input, Map<String, String> tags) {
        return trace(task, category, deployment, at, outcome, Usage.of(900, 120), input, tags);
    }

    private static Map.Entry<String, byte[]> trace(String task, Category category, Deployment deployment, Instant at,
                                                   Outcome outcome, Usage usage) {
        return trace(task, category, deployment, at, outcome, usage, null, Map.of());
    }

    private static Map.Entry<String, byte[]> trace(String task, Category category, Deployment deployment, Instant at,
                                                   Outcome outcome, Usage usage, String input,
                                                   Map<String, String> tags) {
        Trace.Builder b = Trace.builder(task, category).traceId(UUID.randomUUID().toString()).occurredAt(at)
                .service(HEALTHY.equals(task) ? "catalog" : "console-test").deployment(deployment).latencyMs(400)
                .usage(usage)
                .outcome(outcome).tags(tags);
        if (input != null) {
            b.input(input).output("An answer.");
        }
        Trace t = b.build();
        return new AbstractMap.SimpleEntry<>(t.traceId(), EventWriter.write(t));
    }

    @AfterAll
    void close() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @BeforeEach
    void listsAreFresh() {
        // the named windows' lists refresh every second in tests: wait until they hold the seeded tasks
        await().atMost(ofSeconds(30)).pollInterval(ofSeconds(1)).until(() -> io.restassured.RestAssured.given()
                .queryParam("window", "7d").get("/api/v1/tasks").then().extract().asString().contains(FLAGGED));
    }

    private String url(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    private Page login(String user, int width, int height) {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height));
        Page page = context.newPage();
        page.navigate(url("/?window=7d"));
        assertThat(page.url()).contains("/login");
        page.fill("#j_username", user);
        page.fill("#j_password", user);
        page.click("button[type=submit]");
        page.waitForURL(u -> !u.contains("/login"));
        return page;
    }

    private static void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")).setFullPage(true));
    }

    private static Object xss(Page page) {
        return page.evaluate("() => window.__xss");
    }

    @Test
    void overview_shows_the_seeded_flagged_task_first_and_clicks_through_to_a_trace() {
        Page page = login("viewer", 1280, 900);
        page.navigate(url("/?window=7d"));
        Locator rows = page.locator("#tasks tbody tr");
        assertThat(rows.first().locator(".badge").getAttribute("class")).contains("flag");
        List<String> order = rows.locator("a.task").allTextContents();
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < rows.count(); i++) {
            classes.add(rows.nth(i).getAttribute("class"));
        }
        int flagged = order.indexOf(FLAGGED);
        assertThat(flagged).as("flagged task listed: " + order).isGreaterThanOrEqualTo(0);
        assertThat(classes.get(flagged)).isEqualTo("flag");
        assertThat(classes.subList(0, flagged)).as("only flagged tasks above it").allMatch("flag"::equals);
        assertThat(rows.nth(flagged).locator(".badge").textContent()).isEqualTo("Move to cloud");
        shot(page, "overview-1280");

        page.click("a.task:text-is('" + FLAGGED + "')");
        page.waitForURL(u -> u.contains("/tasks/"));
        assertThat(page.locator("#verdict .headline").textContent()).isNotBlank();
        assertThat(page.locator("#verdict .badge").first().textContent()).isEqualTo("Move to cloud");
        assertThat(page.locator("#confirmation").textContent()).as("nothing of it runs in the cloud")
                .isEqualTo("unconfirmed: no canary");
        assertThat(page.locator("#comparisons").count()).as("a single deployment: nothing to compare").isZero();
        // a task of a few minutes has no reference yet: "not measured yet" before the drift job first ran,
        // "not measured: the reference period ... ends at ..." after (its 30 s delay may fall either side)
        assertThat(page.locator("#scope").textContent()).containsPattern("not measured( yet|: the reference period)");
        page.waitForSelector("#quality-chart canvas");
        page.waitForSelector("#cost-chart canvas");
        page.waitForSelector("#latency-chart canvas");
        assertThat(page.locator("#latency-text").textContent()).containsPattern("p95 latency ranged from \\d+ ms to \\d+ ms")
                .contains("0 of them had a p95 above the 5,000 ms budget");
        shot(page, "task-1280");

        page.click("#cohorts a:text-is('t-0')");
        page.waitForURL(u -> u.contains("tag=tenant%3Dt-0"));
        assertThat(page.locator("#trace-list tbody tr").count()).isEqualTo(50);
        assertThat(page.locator("#trace-list .tag:text-is('tenant=t-0')").count()).isEqualTo(50);
        page.goBack();
        page.click("#verdict a:text-is('Worst traces')");
        page.waitForURL(u -> u.contains("/worst"));
        assertThat(page.locator("#worst-list tbody tr").count()).isGreaterThan(0);
        assertThat(page.locator("#worst-list tbody tr").first().locator("td").first().textContent()).isEqualTo("0.20");
        shot(page, "worst-1280");

        page.locator("#worst-list tbody tr").first().locator("a").click();
        page.waitForURL(u -> u.contains("/traces/"));
        assertThat(page.locator("#trace-fields").textContent()).contains(FLAGGED).contains("escalated");
        assertThat(page.locator("#text-hidden").textContent()).isEqualTo("Hidden: requires role text-reader.");
        assertThat(page.content()).doesNotContain("Customer question");
        shot(page, "trace-viewer-1280");
        page.context().close();
    }

    @Test
    void a_window_change_updates_the_url_and_the_numbers() {
        Page page = login("viewer", 1280, 900);
        page.navigate(url("/?window=7d"));
        String weekTraces = row(page, FLAGGED).locator("td").nth(3).textContent();
        assertThat(weekTraces).isEqualTo(apiTraces("7d")).isEqualTo("480");
        page.click(".windows a:text-is('24h')");
        page.waitForURL(u -> u.contains("window=24h"));
        assertThat(page.locator(".windows a[aria-current]").textContent()).isEqualTo("24h");
        String dayTraces = row(page, FLAGGED).locator("td").nth(3).textContent();
        assertThat(dayTraces).isEqualTo(apiTraces("24h")).isNotEqualTo(weekTraces);

        page.click(".windows a:text-is('1h')");
        page.waitForURL(u -> u.contains("window=1h"));
        assertThat(row(page, FLAGGED).locator("td").nth(3).textContent()).isEqualTo(apiTraces("1h"))
                .isNotEqualTo(dayTraces);
        // the URL reproduces the view: sorting and filters live in it too
        page.navigate(url("/?window=24h&category=chat&sort=traces&dir=desc"));
        assertThat(page.locator("#tasks a.task").allTextContents()).contains(FLAGGED).doesNotContain(HEALTHY);
        page.navigate(url("/?window=24h&service=catalog"));
        assertThat(page.locator("#tasks a.task").allTextContents()).contains(HEALTHY).doesNotContain(FLAGGED);
        assertThat(page.locator("select[name=service] option[selected]").textContent()).isEqualTo("catalog");
        page.context().close();
    }

    /** The flagged task's trace count in a named window, as the JSON API reports it. */
    private static String apiTraces(String window) {
        Object n = io.restassured.RestAssured.given().queryParam("window", window).get("/api/v1/tasks").then()
                .statusCode(200).extract().jsonPath().get("tasks.find { it.task == '" + FLAGGED + "' }.traces");
        return String.format(java.util.Locale.ROOT, "%,d", ((Number) n).longValue());
    }

    private static Locator row(Page page, String task) {
        return page.locator("#tasks tbody tr").filter(new Locator.FilterOptions().setHas(
                page.locator("a.task:text-is('" + task + "')")));
    }

    @Test
    void a_viewer_cannot_read_prompt_text_and_a_text_reader_can_and_nothing_from_traces_runs() {
        Page viewer = login("viewer", 1280, 900);
        viewer.navigate(url("/traces/" + xssTraceId));
        assertThat(viewer.locator("#text-hidden").textContent()).isEqualTo("Hidden: requires role text-reader.");
        assertThat(viewer.content()).doesNotContain("what is my balance");
        viewer.context().close();

        Page reader = login("reader", 1280, 900);
        reader.navigate(url("/traces/" + xssTraceId));
        assertThat(reader.locator("#prompt-text").textContent()).isEqualTo(XSS_PROMPT);
        assertThat(reader.locator("#trace-fields").textContent()).contains("note=" + XSS_TAG).contains(XSS_TASK);
        shot(reader, "trace-reader-1280");
        reader.navigate(url("/?window=24h"));
        assertThat(reader.locator("#tasks a.task").allTextContents()).contains(XSS_TASK);
        reader.click("#tasks a.task:text-is('" + XSS_TASK.replace("'", "\\'") + "')");
        reader.waitForURL(u -> u.contains("/tasks/"));
        assertThat(reader.locator("h1").textContent()).isEqualTo(XSS_TASK);
        reader.navigate(url("/traces?task=" + java.net.URLEncoder.encode(XSS_TASK, java.nio.charset.StandardCharsets.UTF_8)
                + "&tag=note%3D" + java.net.URLEncoder.encode(XSS_TAG, java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(reader.locator("#trace-list tbody tr").count()).isEqualTo(30);
        assertThat(xss(reader)).as("no markup from a trace ran").isNull();
        assertThat(reader.locator("img[src=x]").count()).isZero();
        reader.context().close();
    }

    @Test
    void a_bad_setting_shows_the_error_next_to_the_field_and_saves_nothing() {
        Page admin = login("admin", 1280, 900);
        admin.navigate(url("/settings?task=" + FLAGGED));
        admin.fill("#quality_floor", "1.7");
        admin.click("#task-form button[type=submit]");
        assertThat(admin.locator("#quality_floor-error").textContent()).contains("quality_floor must be in [0, 1]");
        assertThat(admin.locator("#quality_floor").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(admin.locator("#quality_floor").inputValue()).isEqualTo("1.7");
        shot(admin, "settings-error-1280");
        assertThat(Db.count("SELECT count(*) FROM task_settings WHERE task = ?", FLAGGED)).isZero();

        // a form post without the page's CSRF token is refused, even from an admin
        var forged = admin.request().post(url("/settings/tasks/" + FLAGGED), com.microsoft.playwright.options.RequestOptions
                .create().setForm(com.microsoft.playwright.options.FormData.create().set("quality_floor", "0.7")));
        assertThat(forged.status()).isEqualTo(400);
        assertThat(Db.count("SELECT count(*) FROM task_settings WHERE task = ?", FLAGGED)).isZero();

        admin.fill("#quality_floor", "0.6");
        admin.click("#task-form button[type=submit]");
        admin.waitForURL(u -> u.contains("saved=task"));
        assertThat(admin.locator("#saved").textContent()).isEqualTo("Saved.");
        assertThat(Db.text("SELECT quality_floor::text FROM task_settings WHERE task = ?", FLAGGED)).isEqualTo("0.6");
        // the checkboxes send what they show: text stored (checked), tail not absorbable (unchecked)
        assertThat(Db.text("SELECT store_text::text FROM task_settings WHERE task = ?", FLAGGED)).isEqualTo("true");
        assertThat(Db.text("SELECT tail_absorbable::text FROM task_settings WHERE task = ?", FLAGGED)).isEqualTo("false");
        admin.context().close();

        // a viewer sees the settings but cannot change them
        Page viewer = login("viewer", 1280, 900);
        viewer.navigate(url("/settings?task=" + FLAGGED));
        assertThat(viewer.locator("#quality_floor").isDisabled()).isTrue();
        var response = viewer.request().post(url("/settings/tasks/" + FLAGGED), com.microsoft.playwright.options.RequestOptions
                .create().setForm(com.microsoft.playwright.options.FormData.create().set("quality_floor", "0.7")));
        assertThat(response.status()).isIn(400, 403);
        assertThat(Db.text("SELECT quality_floor::text FROM task_settings WHERE task = ?", FLAGGED)).isEqualTo("0.6");
        viewer.context().close();
    }

    @Test
    void an_admin_edits_a_rule_and_silences_a_task_on_the_alerts_page_and_a_viewer_only_reads() {
        long rule = Db.count("SELECT id FROM alert_rule WHERE metric = 'escalation_rate' ORDER BY id LIMIT 1");
        Page admin = login("admin", 1280, 900);
        admin.navigate(url("/alerts?rule=" + rule));
        admin.fill("#threshold", "1.5");
        admin.click("#rule-form button[type=submit]");
        assertThat(admin.locator("#rule-error").textContent()).contains("threshold: a rate's threshold lies in [0, 1)");
        assertThat(admin.locator("#threshold").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(admin.locator("#threshold").inputValue()).isEqualTo("1.5");
        assertThat(Db.text("SELECT threshold::text FROM alert_rule WHERE id = ?", rule)).isEqualTo("0.15");

        admin.fill("#threshold", "0.25");
        admin.fill("#for_seconds", "120");
        admin.click("#rule-form button[type=submit]");
        admin.waitForURL(u -> u.contains("saved=rule"));
        assertThat(admin.locator("#saved").textContent()).isEqualTo("Saved.");
        assertThat(Db.text("SELECT threshold || '/' || for_seconds FROM alert_rule WHERE id = ?", rule))
                .isEqualTo("0.25/120");
        admin.fill("#threshold", "0.15");
        admin.fill("#for_seconds", "300");
        admin.click("#rule-form button[type=submit]");
        admin.waitForURL(u -> u.contains("saved=rule"));

        admin.fill("#silence-form input[name=task]", FLAGGED);
        admin.fill("#silence-form input[name=minutes]", "30");
        admin.fill("#silence-form input[name=comment]", "rollout in progress");
        admin.click("#silence-form button[type=submit]");
        admin.waitForURL(u -> u.endsWith("/alerts"));
        assertThat(admin.locator("#alerts-silences").textContent()).contains(FLAGGED).contains("rollout in progress");
        shot(admin, "alerts-1280");
        admin.context().close();

        Page viewer = login("viewer", 1280, 900);
        viewer.navigate(url("/alerts?rule=" + rule));
        assertThat(viewer.locator("#silence-form").count()).isZero();
        assertThat(viewer.locator("#threshold").isDisabled()).isTrue();
        viewer.context().close();
    }

    @Test
    void the_overview_tail_column_shows_the_visible_failure_rate_and_sorts_by_it() {
        Page page = login("viewer", 1280, 900);
        page.navigate(url("/?window=7d"));
        // 60 of 480 fail visibly: Wilson 95% 9.8-15.8%; the worst-5% share beside it
        Locator tail = row(page, FLAGGED).locator("td").nth(4);
        assertThat(tail.locator("b").textContent()).isEqualTo("12.5% (9.8–15.8%)");
        assertThat(tail.locator(".sub").textContent()).isEqualTo("worst 5%: 100.0%");
        List<String> apiOrder = io.restassured.RestAssured.given().queryParam("window", "7d").get("/api/v1/tasks")
                .then().statusCode(200).extract().jsonPath().getList("tasks.task");
        assertThat(page.locator("#tasks a.task").allTextContents()).as("unsorted: the API's order").isEqualTo(apiOrder);

        page.click("#tasks thead a:text-is('Visible failures')");
        page.waitForURL(u -> u.contains("sort=visible") && u.contains("dir=desc"));
        assertThat(page.locator("#tasks thead th[aria-sort=descending]").textContent()).isEqualTo("Visible failures");
        assertThat(visibleRates(page)).as("highest first").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        page.click("#tasks thead a:text-is('Visible failures')");
        page.waitForURL(u -> u.contains("sort=visible") && u.contains("dir=asc"));
        assertThat(visibleRates(page)).as("lowest first").isSorted();
        page.context().close();
    }

    /** The overview's visible-failure rates, top to bottom, as the page shows them. */
    private static List<Double> visibleRates(Page page) {
        return page.locator("#tasks tbody tr td:nth-child(5) b").allTextContents().stream()
                .map(s -> Double.parseDouble(s.substring(0, s.indexOf('%')))).toList();
    }

    @Test
    void the_task_page_shows_the_visible_failure_rate_and_each_context_cohorts() {
        Page page = login("viewer", 1280, 900);
        page.navigate(url("/tasks/" + CANARY + "?window=7d"));
        assertThat(page.locator("#visible-failures").textContent()).isEqualTo("12.5%");
        assertThat(page.locator("#visible-failures + .label").textContent())
                .isEqualTo("visible failures over all 240 traces, 95% CI 8.9–17.3%; the verdict reads this against"
                        + " the 5.0% threshold");
        // 30 of the 180 at <= 8k fail visibly (Wilson 11.9-22.8%), none of the 60 over 8k (0.0-6.0%)
        Locator split = page.locator("#context-split tbody tr");
        assertThat(split.nth(0).locator("td").nth(2).textContent()).isEqualTo("16.7% (11.9–22.8%)");
        assertThat(split.nth(1).locator("td").nth(2).textContent()).isEqualTo("0.0% (0.0–6.0%)");
        page.context().close();
    }

    @Test
    void a_task_with_a_cloud_canary_shows_the_comparison_and_the_canary_confirms_the_verdict() {
        Page page = login("viewer", 1280, 900);
        page.navigate(url("/tasks/" + CANARY + "?window=7d"));
        assertThat(page.locator("#verdict .badge").first().textContent()).isEqualTo("Move to cloud");
        assertThat(page.locator("#confirmation").textContent()).isEqualTo("confirmed by canary");
        Locator rows = page.locator("#comparisons tbody tr");
        assertThat(rows.count()).isEqualTo(1);
        // 0 of 60 against 30 of 240: -12.5 pp, Newcombe's method 10 from the Wilson intervals 0.0-6.0% and
        // 8.9-17.3%: -17.3 to -5.5 pp; pooled z = 2.89, p = 0.004
        assertThat(rows.first().locator("th").textContent()).isEqualTo("cloud · gpt-4ospeaks for the cloud side");
        assertThat(rows.first().locator("td").allTextContents()).containsExactly("all traffic",
                "0.0% (0.0–6.0%)60 traces", "12.5% (8.9–17.3%)240 traces", "-12.5 pp (-17.3 to -5.5 pp)", "p = 0.004",
                "significantly better", "confirmed");
        shot(page, "task-canary-1280");
        page.context().close();
    }

    @Test
    void the_what_if_panel_shows_the_three_actions_beside_today_and_why_one_does_not_apply() {
        Page page = login("viewer", 1280, 900);
        page.navigate(url("/tasks/" + CANARY + "?window=7d"));
        Locator panel = page.locator("#what-if");
        assertThat(panel.locator("thead th").allTextContents())
                .containsExactly("Per day", "Today", "Move to cloud", "Move to local", "Route > 8k to cloud");
        assertThat(panel.locator("td.not-applicable").count()).isEqualTo(1);
        assertThat(panel.locator("td.not-applicable").textContent())
                .isEqualTo("not applicablethe busiest deployment (llama-2-13b-chat) is already local");
        // 180 x 1,020 + 60 x 12,650 tokens over 7 days; the > 8k cohort's 759,000 move when routed
        assertThat(whatIfRow(page, "Tokens/day local")).containsExactly("135k", "0", "26k");
        assertThat(whatIfRow(page, "Tokens/day cloud")).containsExactly("0", "135k", "108k");
        assertThat(whatIfRow(page, "Served by")).containsExactly("local · llama-2-13b-chat240 traces",
                "cloud · gpt-4o", "cloud · gpt-4othe > 8k context cohort; the rest stays");
        List<String> rate = whatIfRow(page, "Visible failures (95% CI)");
        assertThat(rate.get(0)).isEqualTo("12.5% (8.9–17.3%)");
        assertThat(rate.get(1)).as("the canary's own rate").isEqualTo("0.0% (0.0–6.0%)");
        assertThat(rate.get(2)).as("0.75 x 16.7% + 0.25 x 0.0%").startsWith("12.5% (");
        List<String> source = whatIfRow(page, "Source");
        assertThat(source.get(1)).isEqualTo("the cloud canary gpt-4o, 60 traces");
        assertThat(source.get(2)).contains("the cloud canary gpt-4o over all its traffic").contains("MOVER");
        assertThat(whatIfRow(page, "Change vs today")).hasSize(3).element(1).asString().matches("[+-]\\$[0-9.,]+");
        page.context().close();
    }

    /** The cells of one row of the what-if panel, today first, then the applicable actions. */
    private static List<String> whatIfRow(Page page, String header) {
        return page.locator("#what-if tbody tr").filter(new Locator.FilterOptions().setHas(
                page.locator("th:text-is('" + header + "')"))).locator("td:not(.not-applicable)").allTextContents();
    }

    @Test
    void pages_read_well_on_a_phone_and_the_other_pages_render() {
        Page phone = login("reader", 390, 844);
        phone.navigate(url("/?window=7d"));
        shot(phone, "overview-390");
        phone.navigate(url("/tasks/" + FLAGGED + "?window=7d"));
        phone.waitForSelector("#cost-chart canvas");
        Object overflow = phone.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        assertThat(overflow).as("no sideways scrolling of the page on a phone").isEqualTo(false);
        shot(phone, "task-390");
        phone.context().close();

        Page page = login("reader", 1280, 900);
        page.navigate(url("/traces/" + chainTraceId));
        assertThat(page.locator("#chain li").count()).isEqualTo(3);
        page.navigate(url("/traces?task=" + FLAGGED + "&failures=true"));
        assertThat(page.locator("#trace-list tbody tr").count()).isEqualTo(50);
        page.click("a[rel=next]");
        page.waitForURL(u -> u.contains("cursor="));
        assertThat(page.locator("#trace-list tbody tr").count()).isEqualTo(10);
        shot(page, "traces-1280");
        page.navigate(url("/traces?from=yesterday"));
        assertThat(page.locator("#filter-error").textContent()).contains("'from' must be an RFC 3339 date-time");
        page.navigate(url("/dlq"));
        assertThat(page.locator("#dlq-list tbody tr").count()).isGreaterThan(0);
        shot(page, "dlq-1280");
        page.navigate(url("/settings"));
        shot(page, "settings-1280");
        var bad = page.navigate(url("/?window=2w"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(page.locator("#error-message").textContent()).contains("Unknown window '2w'");
        assertThat(page.content()).doesNotContain("Exception").doesNotContain("at io.");
        page.context().close();
    }
}
