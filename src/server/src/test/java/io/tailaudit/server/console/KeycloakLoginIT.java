package io.tailaudit.server.console;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.embedded.EmbeddedPlatform;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Keycloak;
import io.tailaudit.server.testing.PackagedServer;
import io.tailaudit.server.testing.Traces;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's OIDC login against a real identity provider: Keycloak's distribution (unpacked from Maven into
 * target/keycloak by the pom), started in dev mode with a realm (src/test/resources/keycloak) whose groups are
 * the console's roles, and the packaged server in its own JVM configured only by the environment variables the
 * README gives. Each user logs in through Keycloak's own login form in Debian's chromium.
 * <p>
 * Keycloak listens on 127.0.0.1 and the console is opened as localhost: two sites, so the provider's redirect
 * back is cross-site, as it is in production (a SameSite=Strict OIDC cookie would loop here).
 * <p>
 * Keycloak's first start re-augments the distribution (about a minute on two cores) and is printed, not asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeycloakLoginIT {

    private static final String CLIENT_SECRET = "keycloak-login-it-client-secret-0123456789";
    private static final Duration KEYCLOAK_STARTS_WITHIN = ofMinutes(8);
    private static final Duration SERVER_STARTS_WITHIN = ofMinutes(2);
    private static final String PROMPT = "What is the refund policy for order 4417?";
    private static final Path SHOTS = Path.of("target", "screenshots");

    private final String task = Traces.uniqueTask("keycloak-login");
    private Path dir;
    private Keycloak keycloak;
    private EmbeddedPlatform platform;
    private PackagedServer server;
    private String keycloakUrl;
    private String consoleUrl;
    private String traceId;
    private Playwright playwright;
    private Browser browser;

    @BeforeAll
    void start() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        dir = Files.createTempDirectory(target, "keycloak-login-");
        Files.createDirectories(SHOTS);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopProcesses, "keycloak-login-it-stop"));
        int consolePort = Keycloak.freePort();
        consoleUrl = "http://localhost:" + consolePort;
        long keycloakLaunched = System.nanoTime();
        keycloak = Keycloak.launch(consoleUrl, CLIENT_SECRET, log("keycloak"));
        keycloakUrl = keycloak.realmUrl();

        // while Keycloak boots: the platform, one trace with prompt text
        platform = EmbeddedPlatform.start(dir.resolve("platform"));
        traceId = sendTraceWithText();

        keycloak.awaitReady(KEYCLOAK_STARTS_WITHIN);
        System.out.printf("KeycloakLoginIT keycloak ready after %.1fs%n", (System.nanoTime() - keycloakLaunched) / 1e9);

        long serverLaunched = System.nanoTime();
        server = startServer(consolePort);
        server.awaitReady(SERVER_STARTS_WITHIN);
        System.out.printf("KeycloakLoginIT server ready after %.1fs%n", (System.nanoTime() - serverLaunched) / 1e9);
        await().atMost(ofSeconds(60)).pollInterval(ofSeconds(1))
                .until(() -> count("SELECT count(*) FROM trace WHERE trace_id = ?", traceId) == 1);

        launchBrowser();
    }

    /** Creates the topics and sends one trace with prompt and output text; returns its id. */
    private String sendTraceWithText() throws Exception {
        Kafka.createTopics(platform.bootstrapServers(), 2, 2);
        Trace trace = Traces.ok(task).input(PROMPT).output("Refunds within 30 days.").build();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("tailaudit.traces", trace.traceId(), EventWriter.write(trace)))
                    .get(30, TimeUnit.SECONDS);
        }
        return trace.traceId();
    }

    private void launchBrowser() {
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

    /** The packaged server (prod profile) against this test's platform, OIDC on by the README's variables. */
    private PackagedServer startServer(int port) throws IOException {
        return PackagedServer.start(dir.resolve("server"), port, Map.of(
                        "quarkus.datasource.jdbc.url", platform.jdbcUrl(),
                        "quarkus.datasource.username", "postgres",
                        "quarkus.datasource.password", "",
                        "kafka.bootstrap.servers", platform.bootstrapServers(),
                        "quarkus.http.host", "127.0.0.1"),
                // exactly the README's settings ("The console")
                Map.of("QUARKUS_OIDC_TENANT_ENABLED", "true",
                        "QUARKUS_OIDC_AUTH_SERVER_URL", keycloakUrl,
                        "QUARKUS_OIDC_CLIENT_ID", "tailaudit",
                        "QUARKUS_OIDC_CREDENTIALS_SECRET", CLIENT_SECRET));
    }

    @AfterAll
    void stop() throws IOException {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        stopProcesses();
        if (platform != null) {
            platform.close();
        }
        // the logs stay under target/ for a look after a failure; the data goes
        if (dir != null) {
            try (var files = Files.walk(dir.resolve("platform"))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private synchronized void stopProcesses() {
        if (server != null) {
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    @Test
    void a_viewer_signed_in_at_keycloak_sees_the_trace_but_not_its_prompt_text() {
        Page page = login("vera", "/traces/" + traceId);
        assertThat(page.locator(".user").textContent()).isEqualTo("vera");
        assertThat(page.locator(".user").getAttribute("title")).isEqualTo("roles: viewer");
        assertThat(page.locator("#trace-fields").textContent()).contains(task);
        assertThat(page.locator("#text-hidden").textContent()).isEqualTo("Hidden: requires role text-reader.");
        assertThat(page.content()).doesNotContain(PROMPT);
        page.context().close();
    }

    @Test
    void a_viewer_signed_in_at_keycloak_sees_the_settings_but_cannot_change_them() {
        Page page = login("vera", "/settings?task=" + task);
        assertThat(page.locator("#quality_floor").isDisabled()).isTrue();
        page.context().close();
    }

    @Test
    void a_text_reader_signed_in_at_keycloak_sees_the_prompt_text() {
        Page page = login("rita", "/traces/" + traceId);
        assertThat(page.locator(".user").getAttribute("title")).isEqualTo("roles: viewer, text-reader");
        assertThat(page.locator("#prompt-text").textContent()).isEqualTo(PROMPT);
        page.context().close();
    }

    @Test
    void an_admin_signed_in_at_keycloak_saves_a_task_setting() throws SQLException {
        Page page = login("adam", "/settings?task=" + task);
        assertThat(page.locator(".user").getAttribute("title")).isEqualTo("roles: viewer, text-reader, admin");
        page.fill("#quality_floor", "0.65");
        page.click("#task-form button[type=submit]");
        page.waitForURL(u -> u.contains("saved=task"));
        assertThat(page.locator("#saved").textContent()).isEqualTo("Saved.");
        assertThat(text("SELECT quality_floor::text FROM task_settings WHERE task = ?", task)).isEqualTo("0.65");
        page.context().close();
    }

    @Test
    void a_user_in_no_tailaudit_group_gets_a_403_problem_without_a_stack_trace() {
        Page page = login("olga", "/");
        var response = page.navigate(consoleUrl + "/");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.headers().get("content-type")).startsWith("application/problem+json");
        assertThat(response.text()).contains("\"status\":403").doesNotContain("Exception").doesNotContain("at io.");
        page.context().close();
    }

    @Test
    void log_out_ends_the_keycloak_session_and_the_next_visit_asks_for_the_password_again() {
        Page page = login("vera", "/");
        page.click("form.who button[type=submit]");
        page.waitForURL(u -> u.startsWith(keycloakUrl));
        assertThat(page.locator("#username").isVisible()).as("Keycloak's login form").isTrue();
        assertThat(page.context().cookies().stream().map(c -> c.name)).noneMatch(n -> n.startsWith("q_session"));
        page.navigate(consoleUrl + "/traces/" + traceId);
        assertThat(page.url()).as("no single sign-on left behind").startsWith(keycloakUrl);
        assertThat(page.locator("#username").isVisible()).isTrue();
        page.context().close();
    }

    @Test
    void the_console_login_page_sends_the_browser_to_keycloak() {
        Page page = browser.newContext().newPage();
        page.navigate(consoleUrl + "/login");
        assertThat(page.url()).startsWith(keycloakUrl);
        assertThat(page.locator("#kc-login").isVisible()).isTrue();
        page.context().close();
    }

    /** Opens {@code path} in a new browser context and logs in through Keycloak's form; on the console again. */
    private Page login(String user, String path) {
        Page page = browser.newContext().newPage();
        page.navigate(consoleUrl + path);
        assertThat(page.url()).as("the console sends the browser to Keycloak").startsWith(keycloakUrl);
        if ("vera".equals(user)) {
            page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("keycloak-login.png")));
        }
        page.fill("#username", user);
        page.fill("#password", user + "-password");
        page.click("#kc-login");
        page.waitForURL(u -> u.startsWith(consoleUrl));
        assertThat(page.url()).as("back on the page asked for").isEqualTo(consoleUrl + path);
        return page;
    }

    private Path log(String name) {
        return dir.resolve(name + ".log");
    }

    private long count(String sql, Object... args) throws SQLException {
        return Long.parseLong(text(sql, args));
    }

    private String text(String sql, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection(platform.jdbcUrl()); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
