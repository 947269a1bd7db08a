"""Deal lists of one status or one owner page off an index in their order, not a sort."""

import pytest
from query_plans import query_plans  # tests/query_plans.py

from crmtui.core.deals import add_deal, get_deal, list_deals, win_deal
from crmtui.core.schemas import DealInput
from crmtui.core.users import add_user


@pytest.mark.sqlite_only
@pytest.mark.parametrize("narrowed", [{"status": "open"}, {"owner": "kim"}])
def test_newest_deals_of_a_status_or_an_owner_come_off_an_index_in_order(db, narrowed):
    """Not every open deal (or every deal of the owner) read and sorted for one page: on the 1M
    demo that was 147,000 rows."""
    with db.transaction(username="sam") as session:
        add_user(session, "kim")
        ids = [
            add_deal(session, DealInput(title=f"Deal {n}", amount="10", owner=owner)).id
            for n, owner in enumerate(["sam", "kim"] * 3)
        ]
        win_deal(session, get_deal(session, str(ids[5])))
    with db.session() as session, query_plans(session, "deal") as plans:
        titles = [d.title for d in list_deals(session, **narrowed, limit=2)]

    assert titles == (["Deal 4", "Deal 3"] if "status" in narrowed else ["Deal 5", "Deal 3"])
    assert plans and not [plan for plan in plans if "TEMP B-TREE" in plan], plans


@pytest.mark.sqlite_only
def test_pipeline_deal_counts_come_off_the_stage_index_alone(db):
    """Not every deal read for its pipeline: on the 1M demo that was 434,000 rows."""
    from crmtui.core.deals import move_deal
    from crmtui.core.pipelines import add_pipeline, stage_deal_counts, stages_of

    with db.transaction(username="sam") as session:
        other = add_pipeline(session, "Partners", [("Intro", 10, "open"), ("Signed", 100, "won")])
        for n in range(3):
            add_deal(session, DealInput(title=f"Sale {n}", amount="1"))
        deal = add_deal(session, DealInput(title="Partner", amount="1", pipeline="Partners"))
        move_deal(session, deal, "Signed")
        add_deal(session, DealInput(title="Partner 2", amount="1", pipeline="Partners"))
    with db.session() as session, query_plans(session, "deal") as plans:
        counts = stage_deal_counts(session, other.id)
        stages = {stage.name: stage.id for stage in stages_of(session, other.id)}

    assert counts == {stages["Intro"]: 1, stages["Signed"]: 1}
    assert plans and all("COVERING INDEX" in plan for plan in plans if "deal" in plan), plans


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sort", ["-created", "id", "close"])
def test_a_broad_search_pages_deals_along_the_sort_index(db, monkeypatch, sort):
    """Not every match read and sorted: `renewal` matches 43,000 deals of the 1M demo."""
    from datetime import date

    from crmtui.core import deals

    monkeypatch.setattr(deals, "BROAD_MATCHES", 2)
    with db.transaction(username="sam") as session:
        for n in range(5):
            title = f"Renewal {n}" if n % 2 == 0 else f"Upsell {n}"
            add_deal(
                session, DealInput(title=title, amount="1", expected_close=date(2026, 12, n + 1))
            )
    with db.session() as session, query_plans(session, "deal ") as plans:
        titles = [d.title for d in list_deals(session, query="renewal", sort=sort, limit=2)]

    assert titles == (
        ["Renewal 4", "Renewal 2"] if sort == "-created" else ["Renewal 0", "Renewal 2"]
    )
    walked = [plan for plan in plans if plan.split(" USING")[0] in ("SCAN deal", "SEARCH deal")]
    assert walked and not [plan for plan in plans if "TEMP B-TREE" in plan], plans
