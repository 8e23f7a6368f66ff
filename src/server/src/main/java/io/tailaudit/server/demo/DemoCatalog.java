package io.tailaudit.server.demo;

import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Deployment;

import java.util.List;

import static io.tailaudit.server.demo.DemoTask.Shape.AGENT;
import static io.tailaudit.server.demo.DemoTask.Shape.LONG_CONTEXT;
import static io.tailaudit.server.demo.DemoTask.Shape.PLAIN;

/**
 * The demo's tasks, seeded so that each verdict comes out on the 7-day window for the seed article's reasons
 * (its table and three questions; {@code DemoVerdictTest} checks them): general chat on a local 13B model that
 * fails about 1 in 10, with a smaller gpt-4o canary that confirms the move to the cloud; a fine-tuned local
 * classifier at a few percent failures that stays; invoice extraction on gpt-4o well above its break-even,
 * which moves local; a gpt-4o-mini classifier at the same volume, far below its own break-even, which stays;
 * long-context Q&amp;A that holds up to 8k context tokens and fails above (hybrid); a local SQL agent whose
 * errors compound; local autocomplete and keyboard whose tail is absorbable; a low-volume local task that is
 * cheaper in the cloud; a task too small to decide; vendor onboarding extraction on gpt-4o, above its
 * break-even like invoice extraction, whose users started sending new kinds of request three days ago: its
 * scope drift (against a reference the demo pins to its first three days) turns MOVE_TO_LOCAL into KEEP. Token counts are free in the backfill (only traces cost
 * time), so volumes in tokens/day are set by the mean token counts, not by more traces.
 */
final class DemoCatalog {

    private DemoCatalog() {
    }

    private static Deployment local(String model, String quantization) {
        return Deployment.local("vllm", model).withQuantization(quantization).withRegion("on-prem-fra");
    }

    private static Deployment cloud(String provider, String model) {
        return Deployment.cloud(provider, model).withRegion("eu-west-1");
    }

    /** How long before the demo's first start its drifting task's new kinds of request began. */
    static final java.time.Duration DRIFT_AGO = java.time.Duration.ofDays(3);
    /** The reference the demo pins for a drifting task: this long from its first trace. */
    static final java.time.Duration PINNED_REFERENCE = java.time.Duration.ofDays(3);

    static final List<DemoTask> TASKS = List.of(
            // the seed's "1-in-10 visibly wrong or confused response": MOVE_TO_CLOUD on the tail, which the
            // smaller gpt-4o canary below confirms (2% against 10%, the interval of the difference below 0)
            new DemoTask("customer-support-chat", Category.CHAT, "support-web", local("llama-2-13b-chat", "q4_k_m"),
                    4000, 1800, 0.5, 900, 220, 0.10, 0, 0.78, 0, 0, PLAIN, List.of(
                    "My order #%d arrived damaged, what can I do?", "How do I change the billing address on my account?",
                    "Why was I charged twice this month?", "Can I return an item after 45 days?",
                    "The app crashes when I open settings, help", "Do you ship to Norway and how long does it take?")),
            new DemoTask("customer-support-chat", Category.CHAT, "support-web", cloud("openai", "gpt-4o"),
                    200, 2400, 0.4, 900, 240, 0.02, 0, 0.9, 2.50, 10.00, PLAIN, List.of(
                    "I want to cancel my subscription but keep my data", "Where is my refund for order #%d?")),
            // constrained, on gpt-4o at ~8M tokens/day, about twice its own break-even (~4.4M at its 92% input
            // share): MOVE_TO_LOCAL
            new DemoTask("invoice-extraction", Category.EXTRACTION, "ap-automation", cloud("openai", "gpt-4o"),
                    2300, 3200, 0.35, 3200, 280, 0.0002, 0, 0.93, 2.50, 10.00, PLAIN, List.of(
                    "Extract vendor, invoice number, dates, line items and totals as JSON: INVOICE %d ...")),
            // the seed's long-context Q&A: 2% fail up to 8k context tokens, 38% above: HYBRID (> 8k to the cloud)
            new DemoTask("contract-qa", Category.LONG_CONTEXT_QA, "legal-assistant", local("llama-3.1-8b-instruct", "fp16"),
                    1500, 4200, 0.45, 6000, 350, 0.02, 0.38, 0.84, 0, 0, LONG_CONTEXT, List.of(
                    "Which clauses limit liability in contract %d?", "What is the termination notice period?",
                    "Summarise the indemnification obligations of the supplier")),
            // absorbable tails (a suggestion nobody accepts) under a 100 ms budget: KEEP local
            new DemoTask("ide-autocomplete", Category.AUTOCOMPLETE, "ide-plugin", local("starcoder2-3b", "q4_0"),
                    8000, 45, 0.3, 600, 24, 0.08, 0, 0.8, 0, 0, PLAIN, List.of(
                    "def parse_invoice(path: str) -> Invoice:\n    ", "for (int i = 0; i < items.size(); i++) {")),
            new DemoTask("smart-reply", Category.KEYBOARD, "mobile-keyboard", local("phi-3-mini", "q4_0"),
                    5000, 38, 0.25, 180, 12, 0.06, 0, 0.82, 0, 0, PLAIN, List.of(
                    "Are we still on for lunch tomorrow?", "Can you send me the slides?")),
            // a fine-tuned classifier failing 3% (silent, caught downstream, so visible): below T, and at ~7M
            // tokens/day (taxonomy and ticket thread in the prompt) above its ~5.5M break-even: KEEP local
            new DemoTask("ticket-triage", Category.CLASSIFICATION, "helpdesk", local("mistral-7b-triage-ft", "q8_0"),
                    3000, 220, 0.3, 2400, 8, 0.03, 0, 0.9, 0, 0, PLAIN, List.of(
                    "Classify: 'VPN drops every 10 minutes since the update'", "Classify: 'Need a new laptop charger'")),
            // fine-tuned extraction at ~5M tokens/day, above its ~4.5M break-even: KEEP local
            new DemoTask("receipt-extraction", Category.EXTRACTION, "expenses", local("llama-3.1-8b-receipts-ft", "q8_0"),
                    2000, 900, 0.3, 2400, 200, 0.0002, 0, 0.9, 0, 0, PLAIN, List.of(
                    "Extract merchant, date, currency and total from receipt %d")),
            // ~120k tokens/day, not latency-critical: MOVE_TO_CLOUD on cost (below 500k the cloud is cheaper)
            new DemoTask("product-tagging", Category.CLASSIFICATION, "catalog", local("mistral-7b-instruct", "q4_k_m"),
                    300, 350, 0.3, 380, 16, 0.0, 0, 0.9, 0, 0, PLAIN, List.of(
                    "Assign up to 3 tags to product: 'Stainless steel water bottle 750 ml'")),
            // ~280 traces a week at about T: the interval contains 5%, INSUFFICIENT_DATA
            new DemoTask("faq-bot", Category.CHAT, "help-center", local("llama-3.1-8b-instruct", "q4_k_m"),
                    40, 1500, 0.4, 500, 160, 0.05, 0, 0.85, 0, 0, PLAIN, List.of(
                    "What are your opening hours?", "How do I reset my password?")),
            // an agent in the cloud, open scope: KEEP whatever the volume
            new DemoTask("support-agent", Category.AGENTIC, "support-automation", cloud("anthropic", "claude-sonnet-4"),
                    1600, 5200, 0.5, 2400, 420, 0.0003, 0, 0.9, 3.00, 15.00, AGENT, List.of(
                    "Refund order #%d and notify the customer", "Update the shipping address and reissue the label")),
            // a local agent whose errors compound along the chain: MOVE_TO_CLOUD on the tail
            new DemoTask("sql-agent", Category.AGENTIC, "analytics-copilot", local("llama-3.1-8b-instruct", "fp16"),
                    1500, 2600, 0.5, 2100, 300, 0.04, 0, 0.8, 0, 0, AGENT, List.of(
                    "Weekly revenue by region for the last quarter", "Top 10 customers by churn risk with their MRR")),
            // codebase reasoning in the cloud, open scope: KEEP
            new DemoTask("repo-explainer", Category.CODEBASE_REASONING, "dev-portal", cloud("openai", "gpt-4.1"),
                    400, 9000, 0.5, 14000, 900, 0.0005, 0, 0.88, 2.00, 8.00, PLAIN, List.of(
                    "Explain how the billing module talks to the ledger service", "What would I change to add SSO?")),
            // "other" is open by default, and gemini-2.0-flash is cheaper per token than the GPUs: KEEP
            new DemoTask("email-summarizer", Category.OTHER, "crm", cloud("google", "gemini-2.0-flash"),
                    300, 1300, 0.35, 1800, 150, 0.001, 0, 0.9, 0.10, 0.40, PLAIN, List.of(
                    "Summarise this thread with jane.doe@example.com about the renewal")),
            // constrained and at ~7.7M tokens/day like invoice-extraction, but on gpt-4o-mini: its own break-even
            // (~760M tokens/day at its input share) is far above its volume: KEEP in the cloud
            new DemoTask("legal-doc-classifier", Category.CLASSIFICATION, "legal-intake", cloud("openai", "gpt-4o-mini"),
                    1000, 900, 0.3, 7700, 10, 0.0003, 0, 0.92, 0.15, 0.60, PLAIN, List.of(
                    "Classify document type: NDA, MSA, SOW, DPA or other")),
            // the seed's first question: constrained extraction on gpt-4o at ~7.8M tokens/day (MOVE_TO_LOCAL on
            // volume alone), but since the drift's onset 45% of its inputs are new kinds of request: the scope
            // is open, KEEP in the cloud
            new DemoTask("vendor-onboarding", Category.EXTRACTION, "procurement", cloud("openai", "gpt-4o"),
                    2000, 2800, 0.35, 3600, 300, 0.0002, 0, 0.93, 2.50, 10.00, PLAIN, List.of(
                    "Extract company name, registration number, VAT id, address and directors as JSON from"
                            + " registration certificate %d",
                    "Extract the bank account holder, IBAN and BIC as JSON from bank letter %d"),
                    new DemoTask.Drift(0.45, List.of(
                            "Is supplier %d on any sanctions list, and what should we do if it is?",
                            "Write a friendly welcome email in German to new vendor %d",
                            "Compare the payment terms of vendor %d with our standard terms and suggest changes",
                            "Why was the onboarding of vendor %d rejected last week?",
                            "Draft a risk assessment for sole-source supplier %d"))));

}
