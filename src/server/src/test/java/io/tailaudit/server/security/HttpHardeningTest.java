package io.tailaudit.server.security;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class HttpHardeningTest {

    @Inject
    LoginThrottle throttle;

    @TestHTTPResource("/")
    URL base;

    @AfterEach
    void release() {
        throttle.clear();
    }

    @Test
    void repeated_wrong_basic_passwords_are_refused_with_429_then_even_the_right_one_waits() {
        String client = "203.0.113.7";
        for (int i = 0; i < 10; i++) {
            given().auth().preemptive().basic("admin", "guess-" + i).header("X-Forwarded-For", client)
                    .get("/api/v1/cost-model").then().statusCode(401)
                    .contentType(containsString("application/problem+json"));
        }
        given().auth().preemptive().basic("admin", "admin").header("X-Forwarded-For", client)
                .get("/api/v1/cost-model").then().statusCode(429).header("Retry-After", not(equalTo("0")))
                .body("detail", containsString("too many failed logins"));
        given().auth().preemptive().basic("admin", "admin").header("X-Forwarded-For", "203.0.113.8")
                .get("/api/v1/cost-model").then().statusCode(200);
    }

    @Test
    void repeated_wrong_form_logins_from_one_client_are_refused_with_429() {
        String client = "198.51.100.23";
        for (int i = 0; i < 10; i++) {
            given().auth().none().header("X-Forwarded-For", client).redirects().follow(false)
                    .formParam("j_username", "admin").formParam("j_password", "guess-" + i)
                    .post("/j_security_check").then().statusCode(302).header("Location", containsString("error=true"));
        }
        given().auth().none().header("X-Forwarded-For", client).redirects().follow(false)
                .formParam("j_username", "admin").formParam("j_password", "admin")
                .post("/j_security_check").then().statusCode(429);
    }

    @Test
    void logging_in_as_oneself_between_form_guesses_does_not_reset_the_count() {
        String client = "198.51.100.44";
        for (int i = 0; i < 9; i++) {
            given().auth().none().header("X-Forwarded-For", client).redirects().follow(false)
                    .formParam("j_username", "admin").formParam("j_password", "guess-" + i)
                    .post("/j_security_check").then().statusCode(302).header("Location", containsString("error=true"));
        }
        given().auth().none().header("X-Forwarded-For", client).redirects().follow(false)
                .formParam("j_username", "viewer").formParam("j_password", "viewer")
                .post("/j_security_check").then().statusCode(302).header("Location", not(containsString("error")));
        given().auth().none().header("X-Forwarded-For", client).redirects().follow(false)
                .formParam("j_username", "admin").formParam("j_password", "guess-9")
                .post("/j_security_check").then().statusCode(302).header("Location", containsString("error=true"));
        given().auth().none().header("X-Forwarded-For", client).redirects().follow(false)
                .formParam("j_username", "admin").formParam("j_password", "admin")
                .post("/j_security_check").then().statusCode(429);
    }

    @Test
    void a_burst_of_parallel_guesses_is_held_to_the_limit() throws Exception {
        String client = "203.0.113.50";
        given().auth().preemptive().basic("admin", "first-guess").header("X-Forwarded-For", client)
                .get("/api/v1/cost-model").then().statusCode(401);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.URI uri = java.net.URI.create(base.toString().replaceAll("/$", "") + "/api/v1/cost-model");
        List<CompletableFuture<java.net.http.HttpResponse<Void>>> burst = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            burst.add(http.sendAsync(java.net.http.HttpRequest.newBuilder(uri).header("X-Forwarded-For", client)
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                            ("admin:burst-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()));
        }
        long checked = burst.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 401).count();
        assertThat(checked).as("guesses whose password was checked, of 40 sent at once after one failure")
                .isLessThanOrEqualTo(9);
    }

    @Test
    void a_right_password_clears_the_failures_before_the_limit() {
        String client = "198.51.100.99";
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 9; i++) {
                given().auth().preemptive().basic("viewer", "nope").header("X-Forwarded-For", client)
                        .get("/api/v1/cost-model").then().statusCode(401);
            }
            given().auth().preemptive().basic("viewer", "viewer").header("X-Forwarded-For", client)
                    .get("/api/v1/cost-model").then().statusCode(200);
        }
    }

    @Test
    void every_response_carries_a_content_security_policy_that_forbids_framing() {
        given().auth().none().get("/login").then().statusCode(200)
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("X-Frame-Options", "DENY").header("X-Content-Type-Options", "nosniff");
    }

    @Test
    void cookies_set_over_tls_behind_a_proxy_are_secure_and_hsts_is_sent() {
        Response r = given().auth().none().header("X-Forwarded-Proto", "https").get("/login");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().getValues("Set-Cookie")).isNotEmpty().allSatisfy(c -> assertThat(c).containsIgnoringCase("; Secure"));
        assertThat(r.header("Strict-Transport-Security")).contains("max-age=");
        Response plain = given().auth().none().get("/login");
        assertThat(plain.headers().getValues("Set-Cookie")).noneSatisfy(c -> assertThat(c).containsIgnoringCase("secure"));
    }

    @Test
    void an_over_long_request_target_is_a_414_problem() {
        given().queryParam("task", "x".repeat(RequestGuard.MAX_URI_CHARS)).get("/api/v1/traces").then()
                .statusCode(414).contentType(containsString("application/problem+json"));
    }

    @Test
    void a_forbidden_write_is_a_403_problem_and_no_credentials_a_401_problem_with_a_challenge() {
        given().auth().preemptive().basic("viewer", "viewer").contentType("application/json").body("{}")
                .post("/api/v1/alerts/rules").then().statusCode(403).contentType(containsString("application/problem+json"))
                .body("status", equalTo(403));
        given().auth().none().get("/api/v1/traces").then().statusCode(401)
                .contentType(containsString("application/problem+json")).header("WWW-Authenticate", containsString("Basic"));
    }

    @Test
    void admin_form_endpoints_refuse_a_text_plain_body_without_a_csrf_token() {
        given().auth().preemptive().basic("admin", "admin").contentType("text/plain").body("x").redirects().follow(false)
                .post("/alerts/rules/1/toggle").then().statusCode(415);
        given().auth().preemptive().basic("admin", "admin").contentType("text/plain").body("x").redirects().follow(false)
                .post("/alerts/silences/1/end").then().statusCode(415);
        given().auth().preemptive().basic("admin", "admin").contentType("application/x-www-form-urlencoded")
                .formParam("x", "y").redirects().follow(false)
                .post("/alerts/rules/1/toggle").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("detail", containsString("CSRF"));
    }
}
