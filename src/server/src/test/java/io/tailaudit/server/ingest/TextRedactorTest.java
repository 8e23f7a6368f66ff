package io.tailaudit.server.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The redaction corpus: for each detector, texts holding what it must find (the secret must be gone and
 * its marker there) and look-alikes it must leave alone (the text comes back unchanged).
 */
class TextRedactorTest {

    /** detector, text, the part of the text that must not survive. */
    static Stream<Arguments> positives() {
        return Stream.of(
                arguments("email", "contact bill@acme.example today", "bill@acme.example"),
                arguments("email", "mail: Jane.Doe+invoices@mail.example.co.uk.", "Jane.Doe+invoices@mail.example.co.uk"),
                arguments("email", "von jörg.müller@beispiel.de", "jörg.müller@beispiel.de"),
                arguments("email", "写信给 用户@例子.广告 吧", "用户@例子.广告"),
                arguments("email", "{\"user_email\":\"a@b.com\"}", "a@b.com"),
                arguments("aws_access_key", "key id AKIAIOSFODNN7EXAMPLE in env", "AKIAIOSFODNN7EXAMPLE"),
                arguments("aws_access_key", "session ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A"),
                arguments("aws_secret_key", "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY done",
                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                arguments("github_token", "use ghp_16C7e42F292c6912E7710c838347Ae178B4a now",
                        "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
                arguments("github_token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123",
                        "github_pat_11ABCDEFG0123456789"),
                arguments("google_api_key", "maps key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI.",
                        "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"),
                arguments("huggingface_token", "HF hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567 ok",
                        "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567"),
                arguments("slack_token", "bot xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp", "xoxb-1234567890"),
                arguments("slack_token", "user xoxp-1234567890-abcdefghij", "xoxp-1234567890-abcdefghij"),
                arguments("jwt", "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
                        + "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U here", "eyJzdWIiOiIxMjM0NTY3ODkwIn0"),
                arguments("jwt", "unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "eyJzdWIiOiJ4In0"),
                arguments("authorization", "Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
                arguments("authorization", "{\"Authorization\": \"Bearer abc.def.ghi-123\"}", "abc.def.ghi-123"),
                arguments("basic_auth", "curl sent basic dXNlcjpodW50ZXIy to it", "dXNlcjpodW50ZXIy"),
                arguments("token", "with Bearer 9f8e7d6c5b4a39281706abcdef", "9f8e7d6c5b4a39281706abcdef"),
                arguments("secret", "GET /v1?api_key=3f9a0c4e5b6d7e8f9a0b1c2d3e4f5a6b&q=1", "3f9a0c4e5b6d7e8f9a0b1c2d3e4f5a6b"),
                arguments("secret", "\"password\": \"hunter2!\"", "hunter2!"),
                arguments("secret", "aws_secret_access_key = abcdefghij0123456789", "abcdefghij0123456789"),
                arguments("api_key", "OPENAI_API_KEY sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv", "Ab3dEf6hIj9kLm2nOp5qRs8tUv"),
                arguments("api_key", "upper SK-ABCDEF1234567890ABCDEF1234", "SK-ABCDEF1234567890ABCDEF1234"),
                arguments("api_key", "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyjWDarjtT1zdp7dc"),
                arguments("private_key", "k: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA75\nabc\n"
                        + "-----END RSA PRIVATE KEY----- rest", "MIIEpAIBAAKCAQEA75"),
                arguments("private_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA (cut)",
                        "b3BlbnNzaC1rZXktdjEAAAAA"),
                arguments("ssn", "SSN 123-45-6789.", "123-45-6789"),
                arguments("phone", "call +1 (415) 555-0100 now", "415) 555-0100"),
                arguments("phone", "E.164 +14155550100", "4155550100"),
                arguments("phone", "London +44 20 7946 0958", "20 7946 0958"),
                arguments("phone", "Berlin +49 (0)30 1234567", "1234567"),
                arguments("phone", "office (415) 555-0100", "555-0100"),
                arguments("phone", "office 415.555.0100", "555.0100"),
                arguments("card", "visa 4111 1111 1111 1111 exp", "1111 1111 1111"),
                arguments("card", "mc 5555-5555-5555-4444.", "5555-5555-5555-4444"),
                arguments("card", "amex 378282246310005", "378282246310005"),
                arguments("card", "dotted 4111.1111.1111.1111", "4111.1111.1111.1111"),
                arguments("card", "glued card4111111111111111exp", "4111111111111111"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("positives")
    void every_listed_secret_is_replaced_by_its_marker(String detector, String text, String secret) {
        String out = TextRedactor.redact(text);

        assertThat(out).as(out).doesNotContain(secret).contains("[REDACTED:" + detector + "]");
    }

    /** Look-alikes that carry no secret and must come back unchanged. */
    static Stream<String> negatives() {
        return Stream.of(
                "at 2026-11-24T10:15:02Z and 2026-11-24T10:15:02.120+01:00",
                "compact 20261124101502 and epoch 1764000000000 ms, 1764000000000000000 ns",
                "from 192.168.100.200 and 10.0.0.1:8080 and 255.255.255.255",
                "from 2001:db8:85a3::8a2e:370:7334 and [::1]:443",
                "trace 550e8400-e29b-41d4-a716-446655440000 and 12345678-1234-1234-1234-123456789012",
                "versions 1.2.3, 10.15.7.1234.5678 and v2.345.678.9012",
                "order 4111 1111 1111 1112 and invoice 1234567890123456 and 0000000000000000",
                "git 9fceb02d0ae598e95dc970b74767f19372d61af8 and base64 aGVsbG8gd29ybGQ=",
                "max_tokens=4096, input_tokens: 3100, token_count: 512, tokens=8",
                "key-value-store-implementation and api_reference_documentation",
                "the bearer of bad news, a bearer instrument, basic understanding",
                "mention @handle and user@localhost and logo@2x",
                "price +100 and 3+4=7 and offset +05:30",
                "SSN-like 000-12-3456, 666-12-3456 and 123-00-4567, dates 2026-11-24",
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                "ratio 1.5 and 3,141,592 users and 12/26");
    }

    @ParameterizedTest
    @MethodSource("negatives")
    void look_alikes_are_left_as_they_are(String text) {
        assertThat(TextRedactor.redact(text)).isEqualTo(text);
    }

    @Test
    void redacting_twice_changes_nothing_so_redacted_values_still_group() {
        String once = TextRedactor.redact("a@b.com AKIAIOSFODNN7EXAMPLE api_key=3f9a0c4e5b6d Bearer 9f8e7d6c5b4a3928 "
                + "4111111111111111 +14155550100 123-45-6789");

        assertThat(TextRedactor.redact(once)).isEqualTo(once);
    }

    @Test
    void a_secret_across_the_limit_is_removed_whole_not_cut_and_left_with_its_start() {
        String secret = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
        String text = "x".repeat(90) + " " + secret + " " + "y".repeat(200);

        String out = new TextRedactor(100).apply(text);

        assertThat(out).doesNotContain("ghp_").doesNotContain("16C7e4").endsWith(" [TRUNCATED " + text.length() + " chars]");
    }

    @Test
    void a_private_key_whose_end_is_past_the_limit_is_redacted_to_the_cut() {
        String text = "note -----BEGIN PRIVATE KEY-----\n" + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n".repeat(200)
                + "-----END PRIVATE KEY-----";

        String out = new TextRedactor(500).apply(text);

        assertThat(out).startsWith("note [REDACTED:private_key]").doesNotContain("MIIE");
    }

    @Test
    void the_cut_never_splits_a_marker() {
        String text = "x".repeat(95) + " a@b.com " + "z".repeat(50);

        String out = new TextRedactor(100).apply(text);

        assertThat(out).isEqualTo("x".repeat(95) + " " + " [TRUNCATED " + text.length() + " chars]");
    }

    @Test
    void a_long_token_past_the_limit_is_read_to_its_end_before_it_is_judged() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9." + "eyJ" + "a".repeat(3000) + ".sig";
        String text = "y".repeat(50) + " " + jwt;

        assertThat(new TextRedactor(100).apply(text)).startsWith("y".repeat(50) + " [REDACTED:jwt]");
    }

    @Test
    void text_within_the_limit_is_redacted_and_not_marked_as_cut() {
        assertThat(new TextRedactor(100).apply("mail a@b.com")).isEqualTo("mail [REDACTED:email]");
    }

    @Test
    void an_address_after_many_at_signs_without_a_domain_is_still_found() {
        String out = TextRedactor.redact("a@".repeat(5_000) + " x@example.org");

        assertThat(out).endsWith(" [REDACTED:email]").startsWith("a@a@");
    }

    @Test
    void an_address_with_a_local_part_past_64_characters_loses_its_last_64_and_its_domain() {
        String out = TextRedactor.redact("a".repeat(100) + "@example.com");

        assertThat(out).isEqualTo("a".repeat(36) + "[REDACTED:email]");
    }
}
