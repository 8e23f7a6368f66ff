package io.tailaudit.server.api;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class CostModelApiTest {

    @Test
    void seeded_cost_model_puts_the_break_even_between_two_and_five_million_tokens_per_day() {
        given().get("/api/v1/cost-model").then().statusCode(200)
                .body("break_even_tokens_per_day", allOf(greaterThan(2_000_000f), lessThan(5_000_000f)))
                .body("local.reference_model", equalTo("gpt-4o"))
                .body("prices.model", hasItem("claude-sonnet-4"));
    }

    @Test
    void a_price_can_be_added_and_removed() {
        given().contentType(ContentType.JSON).body("{\"input_per_mtok\": 0.5, \"output_per_mtok\": 1.5}")
                .put("/api/v1/cost-model/prices/acme-ai/acme-7b").then().statusCode(200)
                .body("input_per_mtok", equalTo(0.5f));
        given().get("/api/v1/cost-model").then().body("prices.model", hasItem("acme-7b"));

        given().delete("/api/v1/cost-model/prices/acme-ai/acme-7b").then().statusCode(204);
        given().get("/api/v1/cost-model").then().body("prices.model", not(hasItem("acme-7b")));
    }

    @Test
    void a_negative_price_is_a_400_naming_the_field() {
        given().contentType(ContentType.JSON).body("{\"input_per_mtok\": -1, \"output_per_mtok\": 1}")
                .put("/api/v1/cost-model/prices/acme-ai/acme-7b").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", equalTo("input_per_mtok must be a number >= 0, got -1.0"));
    }

    @Test
    void zero_gpus_is_a_400_and_changes_nothing() {
        given().contentType(ContentType.JSON).body("""
                {"gpu_hourly_usd": 2, "gpus": 0, "throughput_tokens_per_s": 1000, "monthly_fixed_usd": 100,
                 "reference_provider": "openai", "reference_model": "gpt-4o"}""")
                .put("/api/v1/cost-model/local").then().statusCode(400)
                .body("detail", equalTo("gpus must be >= 1, got 0"));
        given().get("/api/v1/cost-model").then().body("local.gpus", equalTo(1));
    }

    @Test
    void a_reference_model_without_a_price_is_a_400() {
        given().contentType(ContentType.JSON).body("""
                {"gpu_hourly_usd": 2, "gpus": 1, "throughput_tokens_per_s": 1000, "monthly_fixed_usd": 100,
                 "reference_provider": "nobody", "reference_model": "no-such-model"}""")
                .put("/api/v1/cost-model/local").then().statusCode(400)
                .body("detail", containsString("has no row in the price table"));
    }

    @Test
    void deleting_an_unknown_price_is_a_404() {
        given().delete("/api/v1/cost-model/prices/nobody/no-such-model").then().statusCode(404)
                .contentType("application/problem+json");
    }
}
