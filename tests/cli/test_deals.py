"""`crm deal ...`, `crm pipeline ...`: exact amounts, stage moves with history."""


def setup_ada(crm):
    crm.ok(
        "contact",
        "add",
        "Ada Lovelace",
        "--email",
        "ada@example.com",
        "--company",
        "Analytical Engines",
    )


def test_deal_add_and_list_json(crm):
    setup_ada(crm)
    crm.ok("deal", "add", "Engine order", "--contact", "ada@example.com", "--amount", "1500.00",
           "--currency", "EUR", "--created", "2026-10-02")  # fmt: skip

    (deal,) = crm.json("deal", "list")

    assert deal["title"] == "Engine order"
    assert deal["stage"] == "Lead" and deal["status"] == "open"
    assert deal["amount"] == "1500.00" and deal["currency"] == "EUR"
    assert deal["company"] == "Analytical Engines"
    assert deal["created_at"].startswith("2026-10-02")


def test_amounts_stay_exact(crm):
    crm.ok("deal", "add", "A", "--amount", "0.10")
    crm.ok("deal", "add", "B", "--amount", "1234567890.99", "--currency", "usd")
    crm.ok("deal", "add", "C", "--amount", "1500", "--currency", "JPY")

    amounts = {d["title"]: (d["amount"], d["currency"]) for d in crm.json("deal", "list")}

    assert amounts == {"A": ("0.10", "EUR"), "B": ("1234567890.99", "USD"), "C": ("1500", "JPY")}


def test_move_won_lost_are_recorded_in_history(crm):
    setup_ada(crm)
    crm.ok("deal", "add", "Engine order", "--contact", "ada@example.com", "--amount", "1500.00",
           "--created", "2026-10-02")  # fmt: skip
    crm.ok("deal", "add", "Second", "--amount", "10", "--created", "2026-10-02")

    crm.ok("deal", "move", "1", "Qualified", "--at", "2026-10-05")
    crm.ok("deal", "won", "1", "--at", "2026-10-20")
    crm.ok("deal", "lost", "2", "--reason", "went with a competitor")

    won = crm.json("deal", "show", "1")
    lost = crm.json("deal", "show", "2")
    assert won["status"] == "won" and won["stage"] == "Won"
    assert won["closed_at"].startswith("2026-10-20")
    assert [(h["from"], h["to"], h["at"][:10]) for h in won["history"]] == [
        (None, "Lead", "2026-10-02"),
        ("Lead", "Qualified", "2026-10-05"),
        ("Qualified", "Won", "2026-10-20"),
    ]
    assert lost["status"] == "lost" and lost["lost_reason"] == "went with a competitor"


def test_closing_before_creation_is_refused(crm):
    crm.ok("deal", "add", "A", "--amount", "1", "--created", "2026-10-02")

    result = crm("deal", "won", "1", "--at", "2026-09-01")

    assert result.exit_code == 2
    assert crm.json("deal", "show", "1")["status"] == "open"


def test_reopen_a_lost_deal(crm):
    crm.ok("deal", "add", "A", "--amount", "1")
    crm.ok("deal", "lost", "1", "--reason", "budget")

    crm.ok("deal", "reopen", "1", "--stage", "Proposal")

    deal = crm.json("deal", "show", "1")
    assert (deal["status"], deal["stage"], deal["lost_reason"]) == ("open", "Proposal", None)


def test_default_pipeline_and_new_pipelines_with_stages(crm):
    crm.ok(
        "pipeline",
        "add",
        "Partnerships",
        "Intro:10",
        "Pilot:50",
        "Signed:100:won",
        "Dropped:0:lost",
    )
    crm.ok("pipeline", "stage", "add", "Sales", "Demo", "--probability", "40", "--position", "3")
    crm.ok("pipeline", "stage", "move", "Sales", "Demo", "2")

    rows = crm.json("pipeline", "list")

    sales = [(r["stage"], r["probability"], r["kind"]) for r in rows if r["pipeline"] == "Sales"]
    assert sales == [
        ("Lead", 10, "open"), ("Demo", 40, "open"), ("Qualified", 25, "open"), ("Proposal", 50, "open"),
        ("Negotiation", 75, "open"), ("Won", 100, "won"), ("Lost", 0, "lost"),
    ]  # fmt: skip
    assert [r["stage"] for r in rows if r["pipeline"] == "Partnerships"] == [
        "Intro",
        "Pilot",
        "Signed",
        "Dropped",
    ]


def test_deal_in_another_pipeline_moves_within_it(crm):
    crm.ok("pipeline", "add", "Partnerships", "Intro:10", "Signed:100:won", "Dropped:0:lost")
    crm.ok("deal", "add", "Pact", "--pipeline", "partnerships", "--amount", "1")

    wrong = crm("deal", "move", "1", "Qualified")
    crm.ok("deal", "won", "1")

    assert wrong.exit_code == 3
    assert crm.json("deal", "show", "1")["stage"] == "Signed"


def test_deal_edit_and_filters(crm):
    setup_ada(crm)
    crm.ok("deal", "add", "A", "--contact", "ada@example.com", "--amount", "1", "--tag", "q4")
    crm.ok("deal", "add", "B", "--amount", "2")

    crm.ok("deal", "edit", "1", "--amount", "99.50", "--close", "2026-12-15")

    (deal,) = crm.json("deal", "list", "--tag", "q4")
    assert (deal["amount"], deal["expected_close"]) == ("99.50", "2026-12-15")
    assert [d["title"] for d in crm.json("deal", "list", "--contact", "ada@example.com")] == ["A"]
    assert [d["title"] for d in crm.json("deal", "list", "--sort", "amount")] == ["B", "A"]
