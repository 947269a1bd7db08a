"""`crm pipeline stage edit`: a stage renamed or re-weighted, in the history, undone by undo."""

import pytest


@pytest.fixture
def deal(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    crm.ok("deal", "add", "Order", "--contact", "ada@example.com", "--amount", "1000")
    crm.ok("deal", "move", "1", "Proposal")
    return crm


def proposal(crm) -> dict:
    return next(s for s in crm.json("report", "pipeline")["stages"] if s["stage"].startswith("Pro"))


def test_a_renamed_and_reweighted_stage_shows_everywhere_and_undo_puts_it_back(deal):
    deal.ok("pipeline", "stage", "edit", "Sales", "proposal", "--name", "Proposal sent", "-p", "40")

    assert deal.json("deal", "show", "1")["stage"] == "Proposal sent"
    assert (proposal(deal)["probability"], proposal(deal)["weighted_amount"]) == (
        40, {"EUR": "400.00"}
    )  # fmt: skip
    (entry,) = deal.json("history", "--limit", "1")
    assert entry["summary"] == "name: Proposal → Proposal sent; probability: 50 → 40"

    deal.ok("undo", str(entry["id"]))

    assert deal.json("deal", "show", "1")["stage"] == "Proposal"
    assert proposal(deal)["weighted_amount"] == {"EUR": "500.00"}
    deal.ok("deal", "move", "1", "proposal")  # found by its name again


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [(["--name", "lead"], 4, "already has a stage 'Lead'"),
     (["-p", "101"], 2, "invalid probability 101"),
     (["--name", "  "], 2, "a stage needs a name")],
)  # fmt: skip
def test_a_bad_edit_says_why_and_changes_nothing(deal, args, code, says):
    result = deal("pipeline", "stage", "edit", "Sales", "Proposal", *args)

    assert result.exit_code == code and says in result.stderr
    assert proposal(deal)["stage"] == "Proposal" and proposal(deal)["probability"] == 50
    assert deal.json("history", "--limit", "1")[0]["entity"] != "stage"


def test_an_unknown_stage_lists_those_there_are(deal):
    result = deal("pipeline", "stage", "edit", "Sales", "Demo", "-p", "5")

    assert result.exit_code == 3 and "no stage 'Demo'" in result.stderr and "Lead" in result.stderr


def test_a_stage_no_deal_was_ever_in_is_deleted_and_undo_puts_it_back_in_its_place(deal):
    deal.ok("pipeline", "stage", "add", "Sales", "Demo", "-p", "40", "--position", "3")

    said = deal.ok("pipeline", "stage", "delete", "Sales", "demo").stderr

    assert said.startswith("deleted stage Demo; Sales: Lead > Qualified > Proposal > ")
    (entry,) = deal.json("history", "--limit", "1")
    deal.ok("undo", str(entry["id"]))
    stages = [row["stage"] for row in deal.json("pipeline", "list")]
    assert stages[:4] == ["Lead", "Qualified", "Demo", "Proposal"]


@pytest.mark.parametrize(
    ("stage", "code", "says"),
    [("Proposal", 4, "1 deal is in stage Proposal: move them first"),
     ("Qualified", 4, "deals have been in stage Qualified (2 moves recorded): it stays"),
     ("Won", 2, "stage Won is the pipeline's only won stage")],
)  # fmt: skip
def test_a_stage_with_deals_or_their_history_stays(deal, stage, code, says):
    deal.ok("deal", "add", "Other", "--contact", "ada@example.com", "--amount", "5")
    deal.ok("deal", "move", "2", "Qualified")
    deal.ok("deal", "move", "2", "Negotiation")  # through Qualified: two moves name it
    before = deal.json("pipeline", "list")

    result = deal("pipeline", "stage", "delete", "Sales", stage)

    assert result.exit_code == code and says in result.stderr
    assert deal.json("pipeline", "list") == before
