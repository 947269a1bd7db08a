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
