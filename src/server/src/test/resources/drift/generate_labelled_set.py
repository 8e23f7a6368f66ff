#!/usr/bin/env python3
"""Writes labelled-set.json: per task shape, reference inputs (as a task's first week would hold) and
labelled cases: in scope (new instances of the templates, paraphrases of the instruction, near misses:
fields left out, reordered, extra noise) and novel (a new intent in the same vocabulary, off-domain
questions, code, another language, open-ended writing). Seeded, so the file is reproducible:
    python3 generate_labelled_set.py > labelled-set.json
"""
import json, random

R = random.Random(20261201)
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Ltd", "Stark Industries", "Wayne Enterprises", "Hooli",
             "Vandelay Imports", "Soylent Co", "Wonka Industries", "Cyberdyne", "Tyrell Corp", "Oscorp",
             "Aperture Labs", "Black Mesa", "Massive Dynamic", "Pied Piper", "Dunder Mifflin", "Prestige Worldwide",
             "Gringotts", "Monarch Solutions", "Nakatomi Trading", "Blue Sun", "Weyland Yutani", "Zorg Industries"]
PEOPLE = ["Ana Lopez", "Ben Carter", "Chen Wei", "Dara Okafor", "Eli Novak", "Farah Haddad", "Gus Ivanov",
          "Hana Sato", "Ivo Petrov", "Jo Meyer", "Kofi Mensah", "Lena Berg", "Mira Shah", "Nils Dahl"]
PRODUCTS = ["the mobile app", "the web dashboard", "the desktop client", "the API", "the billing portal",
            "the smart thermostat", "the router", "the team plan", "the starter plan", "the analytics add-on"]
CITIES = ["Lisbon", "Austin", "Osaka", "Nairobi", "Oslo", "Lyon", "Denver", "Porto", "Leeds", "Perth"]


def money():
    return f"${R.randint(12, 98000):,}.{R.randint(0, 99):02d}"


def date():
    return f"2026-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}"


def invoice_doc():
    lines = [f"INVOICE {R.choice(['INV', 'No.', '#'])}{R.randint(1000, 99999)}", f"Vendor: {R.choice(COMPANIES)}",
             f"Bill to: {R.choice(COMPANIES)}, {R.choice(CITIES)}", f"Issue date: {date()}",
             f"Due date: {date()}"]
    for _ in range(R.randint(1, 4)):
        lines.append(f"{R.choice(['Consulting hours', 'License fee', 'Support plan', 'Hardware', 'Shipping', 'Training session'])}"
                     f" x{R.randint(1, 40)} {money()}")
    lines.append(f"Tax: {money()}")
    lines.append(f"Total due: {money()}")
    return "\n".join(lines)


def ticket_body():
    issues = [f"I was charged twice for {R.choice(PRODUCTS)} this month",
              f"I cannot log in to {R.choice(PRODUCTS)} since the last update",
              f"my order {R.randint(10000, 99999)} has not arrived in {R.choice(CITIES)}",
              f"please change the email on my account to {R.choice(PEOPLE).split()[0].lower()}@example.org",
              f"{R.choice(PRODUCTS)} crashes when I open the settings page",
              f"the refund for invoice {R.randint(1000, 9999)} never reached my card",
              f"the package was delivered to the wrong address in {R.choice(CITIES)}",
              f"I want to cancel my subscription to {R.choice(PRODUCTS)}",
              f"{R.choice(PRODUCTS)} shows error {R.randint(400, 599)} when syncing"]
    return R.choice(issues) + R.choice([".", "!", ", please help.", ". This is urgent.", ". Thanks."])


def clause():
    kinds = [f"Each party shall keep confidential all information disclosed by the other party for {R.randint(2, 7)} years.",
             f"Either party may terminate this Agreement with {R.randint(15, 90)} days written notice.",
             f"The Supplier shall indemnify {R.choice(COMPANIES)} against all claims arising from its negligence.",
             f"In no event shall the liability of either party exceed {money()}.",
             f"This Agreement is governed by the laws of {R.choice(['England', 'Delaware', 'Portugal', 'Japan'])}.",
             f"The Customer shall pay all invoices within {R.randint(15, 60)} days of receipt.",
             f"Neither party shall assign this Agreement without the prior written consent of the other party."]
    return R.choice(kinds)


def query_prefix():
    return R.choice(["best pizza near", "weather in", "flights from", "how to reset", "cheap hotels in",
                     "train times to", "open pharmacies in", "museums in", "coffee shops near", "bike rental in"]) \
        + " " + R.choice(CITIES).lower()[:R.randint(2, 6)]


SHAPES = {
    "invoice-extraction": {
        "category": "extraction",
        "templates": [lambda: f"Extract the invoice number, issue date and total due from the following invoice "
                              f"as JSON.\n{invoice_doc()}",
                      lambda: f"Extract the vendor, issue date, due date and total due from this invoice and "
                              f"return JSON.\n{invoice_doc()}"],
        "paraphrases": [lambda: f"From the invoice below, pull out its number, the issue date and the total due, "
                                f"as JSON.\n{invoice_doc()}",
                        lambda: f"Return JSON with the invoice number, the total due and the issue date of this "
                                f"invoice:\n{invoice_doc()}",
                        lambda: f"Please read this invoice and give me the vendor, the due date and the total as "
                                f"JSON.\n{invoice_doc()}"],
        "near_misses": [lambda: f"Extract the invoice number and total due from the following invoice as JSON."
                                f"\n{invoice_doc()}\nNote: scanned copy, some fields may be blurry.",
                        lambda: f"Extract the total due, issue date and invoice number from this invoice as JSON "
                                f"(amounts in USD).\n{invoice_doc()}",
                        lambda: f"Extract the invoice number, issue date and total due as JSON.\n"
                                f"{invoice_doc().splitlines()[0]}\nTotal due: {money()}"],
        "novel": {
            "new-intent": [lambda: f"Write a polite payment reminder email to {R.choice(COMPANIES)} about an overdue "
                                   f"invoice of {money()}, due since {date()}.",
                           lambda: f"Explain to a new accountant the difference between an invoice and a receipt, "
                                   f"with an example from {R.choice(COMPANIES)}.",
                           lambda: f"Draft a dispute letter to {R.choice(COMPANIES)} because the invoice charges "
                                   f"for a support plan we cancelled in {R.choice(CITIES)}."],
            "off-domain": [lambda: f"What is the capital of {R.choice(['Australia', 'Canada', 'Brazil', 'Kenya'])} "
                                   f"and how many people live there?",
                           lambda: f"Recommend three novels similar to {R.choice(['Dune', 'Emma', 'Ulysses', 'Beloved'])}."],
            "code": [lambda: f"Write a Python function that parses a CSV file of transactions and returns the sum of "
                             f"the column '{R.choice(['amount', 'total', 'net'])}' grouped by month.",
                     lambda: "Fix this SQL: SELECT vendor, SUM(total) FROM invoices GROUP vendor ORDER BY 2 DESC;"],
            "language": [lambda: f"Extraia o número da fatura, a data de emissão e o valor total desta fatura: "
                                 f"fatura {R.randint(1000, 9999)} emitida por {R.choice(COMPANIES)} em {date()}.",
                         lambda: f"Bitte fasse die Zahlungsbedingungen des Lieferanten {R.choice(COMPANIES)} in zwei "
                                 f"Sätzen zusammen."],
            "open-ended": [lambda: "Summarise the history of double-entry bookkeeping from the Renaissance to today "
                                   "in five paragraphs.",
                           lambda: f"Brainstorm ten names for a startup in {R.choice(CITIES)} that automates "
                                   f"expense reports."],
        },
    },
    "ticket-triage": {
        "category": "classification",
        "templates": [lambda: f"Classify this support ticket as one of billing, technical, account, shipping. "
                              f"Answer with the label only.\nTicket: {ticket_body()}",
                      lambda: f"Label the support ticket with billing, technical, account or shipping, and a "
                              f"priority of low, normal or high.\nTicket: {ticket_body()}"],
        "paraphrases": [lambda: f"Which queue does this ticket belong to: billing, technical, account or shipping?"
                                f"\nTicket: {ticket_body()}",
                        lambda: f"Route the following customer ticket to billing, technical, account or shipping."
                                f"\nTicket: {ticket_body()}",
                        lambda: f"Ticket: {ticket_body()}\nGive its category (billing/technical/account/shipping) "
                                f"only."],
        "near_misses": [lambda: f"Classify this support ticket as one of billing, technical, account, shipping. "
                                f"Answer with the label only.\nTicket: {ticket_body()} {ticket_body()}",
                        lambda: f"Classify this support ticket as billing, technical, account or shipping.\n"
                                f"Ticket: {ticket_body().upper()}",
                        lambda: f"Classify this support ticket as one of billing, technical, account, shipping.\n"
                                f"Ticket: hi, {ticket_body()} regards, {R.choice(PEOPLE)}"],
        "novel": {
            "new-intent": [lambda: f"Write an apology reply to the customer for this ticket and offer a "
                                   f"{R.randint(10, 30)}% discount: {ticket_body()}",
                           lambda: f"Summarise the ten most common complaints of last week's tickets for "
                                   f"{R.choice(PRODUCTS)} into a report for the product team."],
            "off-domain": [lambda: f"Plan a three-day trip to {R.choice(CITIES)} with museums and good food.",
                           lambda: "What are the health benefits of green tea compared with coffee?"],
            "code": [lambda: "Write a Kotlin data class for a ticket with id, subject, body and created timestamp, "
                             "and a JSON serializer.",
                     lambda: "Write a regular expression that matches order numbers of five digits followed by "
                             "two capital letters."],
            "language": [lambda: f"Clasifica este ticket: no puedo entrar en mi cuenta desde ayer, "
                                 f"me llamo {R.choice(PEOPLE)}.",
                         lambda: "Classez ce ticket : le colis est arrivé abîmé et je voudrais un remboursement."],
            "open-ended": [lambda: "Write a short story about a support agent who discovers a bug that changes "
                                   "the world.",
                           lambda: "Give me a motivational speech for a customer support team on a Monday."],
        },
    },
    "clause-classifier": {
        "category": "classification",
        "templates": [lambda: f"Classify the contract clause into confidentiality, termination, indemnity, "
                              f"liability, governing law or payment.\nClause: {clause()}",
                      lambda: f"What type of clause is this (confidentiality, termination, indemnity, liability, "
                              f"governing law, payment)? Answer with one type.\nClause: {clause()}"],
        "paraphrases": [lambda: f"Tag this clause with its type: confidentiality, termination, indemnity, "
                                f"liability, governing law or payment.\nClause: {clause()}",
                        lambda: f"Clause: {clause()}\nIs it a confidentiality, termination, indemnity, liability, "
                                f"governing law or payment clause?",
                        lambda: f"Put this contract clause in one of these types - confidentiality, termination, "
                                f"indemnity, liability, governing law, payment.\nClause: {clause()}"],
        "near_misses": [lambda: f"Classify the contract clause into confidentiality, termination, indemnity, "
                                f"liability, governing law or payment.\nClause: {clause()} {clause()}",
                        lambda: f"Classify the clause into confidentiality, termination, indemnity, liability, "
                                f"governing law or payment.\nClause (section {R.randint(2, 19)}.{R.randint(1, 9)}): "
                                f"{clause()}",
                        lambda: f"Classify the contract clause.\nClause: {clause()}"],
        "novel": {
            "new-intent": [lambda: f"Rewrite this clause so that it favours {R.choice(COMPANIES)} as the customer: "
                                   f"{clause()}",
                           lambda: "Draft a full non-disclosure agreement between two startups, with ten clauses "
                                   "and signature blocks."],
            "off-domain": [lambda: "How do I make sourdough bread without a Dutch oven?",
                           lambda: f"Which football club won the most titles in {R.choice(['Portugal', 'Spain', 'Italy'])}?"],
            "code": [lambda: "Write a Java method that splits a contract text into numbered clauses using a regex.",
                     lambda: "Write a bash script that renames all PDF contracts in a folder by their date."],
            "language": [lambda: "Klassifiziere diese Vertragsklausel: Jede Partei kann den Vertrag mit einer Frist "
                                 "von drei Monaten kündigen.",
                         lambda: "Classifique esta cláusula: o fornecedor indemnizará o cliente por todos os danos."],
            "open-ended": [lambda: "Explain the philosophy of contract law and why promises should be enforced.",
                           lambda: "Write a poem about lawyers working late on a merger."],
        },
    },
    "query-autocomplete": {
        "category": "autocomplete",
        "templates": [lambda: f"Complete the search query: {query_prefix()}",
                      lambda: f"Suggest 5 completions for the search query: {query_prefix()}"],
        "paraphrases": [lambda: f"Autocomplete this search: {query_prefix()}",
                        lambda: f"Give 5 search suggestions that start with: {query_prefix()}",
                        lambda: f"Finish the query the user is typing: {query_prefix()}"],
        "near_misses": [lambda: f"Complete the search query: {query_prefix()} {R.choice(['tonight', 'open now', 'cheap'])}",
                        lambda: f"Suggest 3 completions for the search query: {query_prefix()}",
                        lambda: f"Complete the search query: {query_prefix().upper()}"],
        "novel": {
            "new-intent": [lambda: f"Write a travel blog post about the best pizza places in {R.choice(CITIES)}.",
                           lambda: f"Compare the weather of {R.choice(CITIES)} and {R.choice(CITIES)} over a year in "
                                   f"a table."],
            "off-domain": [lambda: "Explain how vaccines train the immune system.",
                           lambda: "What is the derivative of x squared times sine of x?"],
            "code": [lambda: "Implement a trie in Rust with insert and prefix search.",
                     lambda: "Write a SQL query that returns the top ten search terms of last week."],
            "language": [lambda: "Completa la búsqueda: mejores restaurantes de",
                         lambda: "Vervollständige die Suchanfrage: günstige Hotels in"],
            "open-ended": [lambda: "Tell me everything you know about the history of search engines.",
                           lambda: "Write a haiku about typing on a phone keyboard."],
        },
    },
    "support-faq": {
        "category": "chat",
        "templates": [lambda: f"Customer question about {R.choice(PRODUCTS)}: how do I "
                              f"{R.choice(['reset my password', 'change my plan', 'export my data', 'add a user', 'update my card', 'cancel my subscription'])}?"
                              f" Answer from the help center in two sentences.",
                      lambda: f"Answer this customer from the help center articles, in two sentences: "
                              f"{R.choice(['where is my invoice', 'why was I charged twice', 'how do I enable two-factor login', 'can I pause my plan'])}"
                              f" for {R.choice(PRODUCTS)}?"],
        "paraphrases": [lambda: f"Using the help center, reply briefly: how can I "
                                f"{R.choice(['reset my password', 'change my plan', 'export my data'])} in {R.choice(PRODUCTS)}?",
                        lambda: f"A customer of {R.choice(PRODUCTS)} asks how to "
                                f"{R.choice(['add a user', 'update my card', 'cancel my subscription'])}. Answer from the help center.",
                        lambda: f"Help center answer, two sentences: why was I charged twice for {R.choice(PRODUCTS)}?"],
        "near_misses": [lambda: f"Customer question about {R.choice(PRODUCTS)}: how do I reset my password? I tried "
                                f"twice already. Answer from the help center in two sentences.",
                        lambda: f"Customer question about {R.choice(PRODUCTS)}: how do I export my data to CSV? "
                                f"Answer from the help center.",
                        lambda: f"Answer this customer from the help center articles: can I pause my plan for "
                                f"{R.randint(1, 6)} months?"],
        "novel": {
            "new-intent": [lambda: f"Write a press release announcing that {R.choice(PRODUCTS)} now supports "
                                   f"offline mode.",
                           lambda: "Create a quarterly roadmap for the support team with hiring and training goals."],
            "off-domain": [lambda: "Who painted the Mona Lisa and when?",
                           lambda: "Give me a recipe for a vegan lasagna for six people."],
            "code": [lambda: "Write a React component that shows a list of help center articles with a search box.",
                     lambda: "Write a Go HTTP handler that returns the status of a subscription as JSON."],
            "language": [lambda: "Pergunta do cliente: como faço para mudar o meu plano? Responda em duas frases.",
                         lambda: "お客様の質問：パスワードをリセットするにはどうすればいいですか？"],
            "open-ended": [lambda: "Discuss the future of customer service in the age of AI, in an essay.",
                           lambda: "Write a limerick about a chatbot that never sleeps."],
        },
    },
}


def main():
    out = {"about": __doc__.strip().splitlines()[0], "shapes": []}
    for name, s in SHAPES.items():
        reference = [R.choice(s["templates"])() for _ in range(150)]
        cases = []
        for _ in range(20):
            cases.append({"kind": "instance", "novel": False, "text": R.choice(s["templates"])()})
        for _ in range(20):
            cases.append({"kind": "paraphrase", "novel": False, "text": R.choice(s["paraphrases"])()})
        for _ in range(20):
            cases.append({"kind": "near-miss", "novel": False, "text": R.choice(s["near_misses"])()})
        for kind, makers in s["novel"].items():
            for _ in range(10):
                cases.append({"kind": kind, "novel": True, "text": R.choice(makers)()})
        out["shapes"].append({"task": name, "category": s["category"], "reference": reference, "cases": cases})
    print(json.dumps(out, ensure_ascii=False, indent=1))


main()
