"""The pipeline board and open-deal counts: what the full-screen app shows, as plain data."""

from crmtui.core.board import neighbour_stage, pipeline_board
from crmtui.core.contacts import add_contact
from crmtui.core.deals import add_deal, get_deal, lose_deal, move_deal, open_deal_counts
from crmtui.core.schemas import ContactInput, DealInput


def test_board_columns_totals_and_open_deal_counts(db):
    with db.transaction(username="sam") as session:
        ada = add_contact(session, ContactInput(name="Ada Lovelace", company="Analytical"))
        bob = add_contact(session, ContactInput(name="Bob Stone"))
        add_deal(session, DealInput(title="Engines", contact=str(ada.id), amount="1000"))
        add_deal(session, DealInput(title="Cards", contact=str(ada.id), amount="500"))
        add_deal(
            session, DealInput(title="Gears", contact=str(ada.id), amount="20", currency="USD")
        )
        lost = add_deal(session, DealInput(title="Lost", contact=str(bob.id), amount="9"))
        lose_deal(session, lost, "price")
        ids = (ada.id, bob.id)
    with db.session() as session:
        board = pipeline_board(session)
        assert open_deal_counts(session, list(ids)) == {ids[0]: 3}
    first = board["columns"][0]
    assert [c["title"] for c in first["cards"]] == ["Engines", "Cards", "Gears"]
    assert first["cards"][0]["company"] == "Analytical"
    assert first["count"] == 3
    eur = next(t for t in first["totals"] if t["currency"] == "EUR")
    assert (eur["count"], eur["sum"]) == (2, "1500.00")
    weighted = int(1500 * first["probability"] / 100)
    assert eur["weighted"] == f"{weighted}.00"
    assert all(len(c["cards"]) == 0 for c in board["columns"][1:])


def test_neighbour_stage_stops_at_the_open_ends(db):
    with db.transaction(username="sam") as session:
        deal = add_deal(session, DealInput(title="Engines", amount="1"))
        assert neighbour_stage(session, deal, -1) is None
        nxt = neighbour_stage(session, deal, 1)
        move_deal(session, deal, nxt.id)
    with db.session() as session:
        deal = get_deal(session, deal.id)
        assert deal.stage_id == nxt.id
        assert neighbour_stage(session, deal, -1) is not None


def test_due_summary_counts_every_group_but_lists_only_the_first(db):
    from datetime import UTC, datetime, timedelta

    from crmtui.core.schemas import TaskInput
    from crmtui.core.tasks import add_task, due_summary

    now = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
    with db.transaction(username="sam") as session:
        for days in range(1, 6):
            add_task(session, TaskInput(title=f"late {days}", due_at=now - timedelta(days=days)))
        add_task(session, TaskInput(title="tonight", due_at=now + timedelta(hours=3)))
        add_task(session, TaskInput(title="friday", due_at=now + timedelta(days=4)))
        add_task(session, TaskInput(title="next month", due_at=now + timedelta(days=30)))
        add_task(session, TaskInput(title="some day"))
        add_task(session, TaskInput(title="some day too"))
    with db.session() as session:
        summary = due_summary(session, now=now, within=timedelta(days=6), limit=2)
    counts = {k: v["count"] for k, v in summary.items()}
    assert counts == {"overdue": 5, "today": 1, "upcoming": 1, "undated": 2}
    assert [t.title for t in summary["overdue"]["tasks"]] == ["late 1", "late 2"]
    assert [t.title for t in summary["upcoming"]["tasks"]] == ["friday"]
    assert [t.title for t in summary["undated"]["tasks"]] == ["some day too", "some day"]


def test_a_stage_pages_by_keyset_through_every_card_once(db):
    from datetime import UTC, datetime, timedelta

    from crmtui.core.board import stage_cards

    start = datetime(2026, 1, 1, tzinfo=UTC)
    with db.transaction(username="sam") as session:
        for n in range(23):  # in threes entering the stage at the same moment: ties go by id
            add_deal(session, DealInput(title=f"D{n}", created_at=start + timedelta(hours=n // 3)))
    with db.session() as session:
        board = pipeline_board(session, per_column=5)
        page = board["columns"][0]["cards"]
        seen = [c["title"] for c in page]
        while page:
            after = (page[-1]["stage_entered_at"], page[-1]["id"])
            page = stage_cards(session, board["columns"][0]["stage_id"], after=after, limit=5)
            seen += [c["title"] for c in page]
    assert board["columns"][0]["count"] == 23
    assert seen == [f"D{n}" for n in range(23)]
