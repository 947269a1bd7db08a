"""Merging a duplicate contact into another, and undoing the merge, on both backends."""

from datetime import UTC, datetime
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crmtui.core.contacts import add_contact, get_contact, update_contact
from crmtui.core.deals import add_deal, get_deal, update_deal
from crmtui.core.errors import Conflict, Invalid, NotFound
from crmtui.core.interactions import log_interaction
from crmtui.core.merge import merge_contacts, plan_merge
from crmtui.core.models import (
    Change,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    Deal,
    Interaction,
    LifecycleChange,
    Task,
)
from crmtui.core.reads import contact_rows
from crmtui.core.schemas import ContactInput, DealInput, InteractionInput, TaskInput
from crmtui.core.tasks import add_task
from crmtui.core.undo import undo_change

CALLED = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def add(session, name, email, **fields):
    return add_contact(session, ContactInput(name=name, emails=[email], **fields))


def merge(db, keep, other):
    with db.transaction(username="sam") as session:
        return merge_contacts(session, get_contact(session, keep), get_contact(session, other))


def undo(db, change_id):
    with db.transaction(username="sam") as session:
        return undo_change(session, session.get(Change, change_id))


def contact(db, ref):
    with db.session() as session:
        return contact_rows(session, [get_contact(session, ref)])[0]


def state(db) -> dict:
    """Everything a merge touches, as a person would compare it (not versions or edit times)."""
    with db.session() as session:
        contacts = list(session.scalars(select(Contact).order_by(Contact.id)))
        rows = [
            {k: v for k, v in row.items() if k not in ("version", "updated_at")}
            for row in contact_rows(session, contacts)
        ]
        linked = {
            model.__tablename__: sorted(session.execute(select(model.id, model.contact_id)).all())
            for model in (Deal, Task, Interaction)
        }
        lists = {
            "emails": sorted(
                session.execute(
                    select(ContactEmail.contact_id, ContactEmail.email, ContactEmail.is_primary)
                ).all()
            ),
            "phones": sorted(
                session.execute(
                    select(ContactPhone.contact_id, ContactPhone.phone, ContactPhone.is_primary)
                ).all()
            ),
            "tags": sorted(session.execute(select(ContactTag.contact_id, ContactTag.tag_id)).all()),
        }
        stages = sorted(
            session.execute(
                select(
                    LifecycleChange.id, LifecycleChange.contact_id, LifecycleChange.from_stage,
                    LifecycleChange.to_stage, LifecycleChange.changed_at,
                )
            ).all()
        )  # fmt: skip
        searched = {c.id: c.search_text for c in contacts}
        deals = dict(session.execute(select(Deal.id, Deal.search_text)).all())
    return {"contacts": rows, **linked, **lists, "stages": stages, "search": searched,
            "deal_search": deals}  # fmt: skip


@pytest.fixture
def duplicates(db):
    """Ada twice: the record kept (1) and a duplicate (2) with its own emails, phone, tags,
    deal, task, call and a further stage."""
    with db.transaction(username="sam") as session:
        add(session, "Ada Lovelace", "ada@example.com", job_title="Countess", city="London",
            tags=["vip"], custom_fields={"lang": "en"}, email_consent="subscribed")  # fmt: skip
        other = add_contact(
            session,
            ContactInput(
                name="A. Lovelace", emails=["ada@work.example", "ada@home.example"],
                phones=["+44 20 7946 0000"], tags=["vip", "engines"], job_title="Analyst",
                company="Analytical Engines", birthday="1815-12-10", website="ada.example",
                custom_fields={"lang": "fr", "shoe": "38"}, lifecycle_stage="customer",
                notes="Met at the Royal Society.",
            ),
        )  # fmt: skip
        add_deal(session, DealInput(title="Engines", contact="2", amount="500"))
        add_task(session, TaskInput(title="Send the plans", contact="2"))
        log_interaction(
            session,
            InteractionInput(
                contact="2", kind="call", subject="Talked engines", occurred_at=CALLED
            ),
        )
        reached = session.scalar(
            select(LifecycleChange.changed_at).where(LifecycleChange.contact_id == other.id)
        )
    return reached


def test_merge_moves_everything_of_the_duplicate_to_the_contact_kept(db, duplicates):
    report = merge(db, "1", "ada@work.example")

    ada = contact(db, "1")
    assert ada["emails"] == ["ada@example.com", "ada@work.example", "ada@home.example"]
    assert ada["email"] == "ada@example.com"  # the kept contact's primary stays primary
    assert ada["phones"] == ["+44 20 7946 0000"]
    assert ada["tags"] == ["engines", "vip"]
    assert report["tags_added"] == ["engines"]
    with db.session() as session:
        assert session.get(Contact, 2) is None
        for model in (Deal, Task, Interaction):
            assert session.scalars(select(model.contact_id)).all() == [1]
        # found by what was the duplicate's: its email, its phone, its company
        assert "ada@home.example" in session.get(Contact, 1).search_text
        assert "442079460000" in session.get(Contact, 1).search_text
    assert contact(db, "ada@work.example")["id"] == 1
    assert ada["last_contacted_at"] == CALLED
    assert report["deals"] == [1] and report["tasks"] == [1] and report["interactions"] == [1]


def test_fields_fill_in_without_overwriting_and_conflicts_are_reported(db, duplicates):
    report = merge(db, "1", "2")

    ada = contact(db, "1")
    assert ada["name"] == "Ada Lovelace" and ada["job_title"] == "Countess"
    assert ada["company"] == "Analytical Engines"
    assert ada["birthday"] == "1815-12-10" and ada["website"] == "ada.example"
    assert ada["notes"] == "Met at the Royal Society."
    assert ada["custom_fields"] == {"lang": "en", "shoe": "38"}
    assert ada["city"] == "London"
    filled = {row["field"]: row["value"] for row in report["filled"]}
    assert filled == {
        "company": "Analytical Engines", "website": "ada.example", "birthday": "1815-12-10",
        "notes": "Met at the Royal Society.", "custom_fields.shoe": "38",
    }  # fmt: skip
    kept = {row["field"]: (row["kept"], row["dropped"]) for row in report["kept"]}
    assert kept["job_title"] == ("Countess", "Analyst")
    assert kept["custom_fields.lang"] == ("en", "fr")
    assert kept["name"] == ("Ada Lovelace", "A. Lovelace")


def test_an_address_is_never_made_of_two(db):
    with db.transaction(username="sam") as session:
        add(session, "Ada", "ada@example.com", city="London")
        add(session, "Ada L", "ada@work.example", street="1 Rue de Rivoli", city="Paris")
        add(session, "Grace", "grace@example.com", city="Arlington")
        add(session, "Grace H", "grace@navy.example", street="1 Navy Way", city="Arlington")

    merge(db, "1", "2")
    merge(db, "3", "4")

    assert (contact(db, "1")["street"], contact(db, "1")["city"]) == (None, "London")
    # the same city: the street completes the one address
    assert (contact(db, "3")["street"], contact(db, "3")["city"]) == ("1 Navy Way", "Arlington")


def test_the_further_stage_wins_dated_when_the_duplicate_reached_it(db, duplicates):
    report = merge(db, "1", "2")

    assert contact(db, "1")["lifecycle_stage"] == "customer"
    with db.session() as session:
        moves = session.execute(
            select(LifecycleChange.from_stage, LifecycleChange.to_stage, LifecycleChange.changed_at)
            .where(LifecycleChange.contact_id == 1)
            .order_by(LifecycleChange.id)
        ).all()
    assert [(m[0], m[1]) for m in moves] == [(None, "lead"), ("lead", "customer")]
    assert moves[1][2] == duplicates
    assert {"field": "lifecycle_stage", "from": "lead", "to": "customer",
            "why": "the further stage of the two"} in report["changed"]  # fmt: skip


@pytest.mark.parametrize(
    ("keep", "other", "consent", "source"),
    [
        ("subscribed", "unsubscribed", "unsubscribed", "other"),
        ("unsubscribed", "subscribed", "unsubscribed", "keep"),
        ("unknown", "unsubscribed", "unsubscribed", "other"),
        ("unsubscribed", "unknown", "unsubscribed", "keep"),
        ("unknown", "subscribed", "subscribed", "other"),
        ("subscribed", "unknown", "subscribed", "keep"),
        ("unknown", "unknown", "unknown", "keep"),
    ],
)
@pytest.mark.parametrize(("keep_dnc", "other_dnc"), [(False, True), (True, False), (False, False)])
def test_an_opt_out_on_either_is_never_lost(db, keep, other, consent, source, keep_dnc, other_dnc):
    with db.transaction(username="sam") as session:
        add(session, "Ada", "ada@example.com", email_consent=keep, consent_source="keep",
            do_not_contact=keep_dnc)  # fmt: skip
        add(session, "Ada L", "ada@work.example", email_consent=other, consent_source="other",
            do_not_contact=other_dnc)  # fmt: skip

    merge(db, "1", "2")

    ada = contact(db, "1")
    assert ada["email_consent"] == consent
    assert ada["consent_source"] == source  # the evidence goes with the consent it is for
    assert ada["do_not_contact"] == (keep_dnc or other_dnc)


def test_a_nameless_contact_takes_the_duplicates_name(db):
    with db.transaction(username="sam") as session:
        add_contact(session, ContactInput(emails=["ada@example.com"]))
        add(session, "Ada Lovelace", "ada@work.example")

    merge(db, "1", "2")

    assert contact(db, "1")["name"] == "Ada Lovelace"
    assert contact(db, "lovelace")["id"] == 1


def test_a_contact_is_not_merged_into_itself_nor_an_unknown_one(db):
    with db.transaction(username="sam") as session:
        add(session, "Ada", "ada@example.com")

    with pytest.raises(Invalid, match="cannot merge contact 1 into itself"):
        merge(db, "1", "ada@example.com")
    with pytest.raises(NotFound):
        merge(db, "1", "42")


def test_undo_puts_everything_back(db, duplicates):
    before = state(db)
    report = merge(db, "1", "2")
    assert state(db) != before

    result = undo(db, report["change_id"])

    assert result["action"] == "unmerged" and result["restored"] == 2
    assert state(db) == before


def test_undo_is_refused_after_a_later_edit_and_says_what_changed(db, duplicates):
    report = merge(db, "1", "2")
    with db.transaction(username="sam") as session:
        update_contact(session, get_contact(session, "1"), ContactInput(website="lovelace.example"))
    after = state(db)

    with pytest.raises(Conflict, match="website is now 'lovelace.example', not 'ada.example'"):
        undo(db, report["change_id"])

    assert state(db) == after


def test_undo_is_refused_when_a_moved_deal_went_to_someone_else(db, duplicates):
    report = merge(db, "1", "2")
    with db.transaction(username="sam") as session:
        add(session, "Grace", "grace@example.com")
        update_deal(session, get_deal(session, 1), DealInput(contact="3"))

    with pytest.raises(Conflict, match="deal 1 was moved to contact 3"):
        undo(db, report["change_id"])


def test_the_duplicates_delete_alone_cannot_be_undone(db, duplicates):
    report = merge(db, "1", "2")
    with db.session() as session:
        deleted = session.scalar(
            select(Change.id).where(Change.entity_id == 2, Change.action == "delete")
        )

    with pytest.raises(Conflict, match=f"undo the merge instead: crm undo {report['change_id']}"):
        undo(db, deleted)


def test_a_plan_writes_nothing(db, duplicates):
    before = state(db)
    with db.session() as session:
        plan = plan_merge(session, get_contact(session, "1"), get_contact(session, "2"))
        assert plan.values["lifecycle_stage"] == "customer"

    assert state(db) == before


VALUES = st.sampled_from([None, "Countess", "Analyst"])
CONSENTS = st.sampled_from(["subscribed", "unsubscribed", "unknown"])
numbers = count()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    titles=st.tuples(VALUES, VALUES),
    sources=st.tuples(VALUES, VALUES),
    consents=st.tuples(CONSENTS, CONSENTS),
    stages=st.tuples(
        st.sampled_from(["lead", "customer", "other"]),
        st.sampled_from(["lead", "customer", "other"]),
    ),
)
def test_any_merge_follows_the_rules_and_undoes_exactly(db, titles, sources, consents, stages):
    n = next(numbers)
    with db.transaction(username="sam") as session:
        keep, other = (
            add(session, f"Ada {n} {side}", f"ada{n}@{side}.example", job_title=titles[i],
                source=sources[i], email_consent=consents[i], lifecycle_stage=stages[i])
            for i, side in enumerate(("keep", "other"))
        )  # fmt: skip
        keep_id, other_id = keep.id, other.id
    before = state(db)

    report = merge(db, str(keep_id), str(other_id))

    merged = contact(db, str(keep_id))
    assert merged["job_title"] == (titles[0] or titles[1])
    assert merged["source"] == (sources[0] or sources[1])
    if "unsubscribed" in consents:
        assert merged["email_consent"] == "unsubscribed"
    if "customer" in stages:
        assert merged["lifecycle_stage"] == "customer"
    undo(db, report["change_id"])
    assert state(db) == before


def test_merges_in_a_chain_undo_newest_first(db, duplicates):
    before = state(db)
    with db.transaction(username="sam") as session:
        add(session, "Augusta Ada King", "ada@king.example")
    first = merge(db, "1", "2")["change_id"]
    second = merge(db, "3", "1")["change_id"]
    assert contact(db, "ada@work.example")["id"] == 3

    with pytest.raises(Conflict, match="contact 1 was deleted since"):
        undo(db, first)
    undo(db, second)
    undo(db, first)

    after = state(db)
    assert [c for c in after["contacts"] if c["id"] != 3] == before["contacts"]
    # everything as before the first merge, beside what contact 3 had of its own
    owner_at = {"deal": 1, "task": 1, "interaction": 1, "stages": 1, "emails": 0, "tags": 0}
    for table, at in owner_at.items():
        assert [row for row in after[table] if row[at] != 3] == before[table]
    assert contact(db, "ada@work.example")["id"] == 2


def test_a_call_logged_since_does_not_block_the_undo_and_stays(db, duplicates):
    report = merge(db, "1", "2")
    later = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    with db.transaction(username="sam") as session:
        log_interaction(
            session, InteractionInput(contact="1", kind="call", subject="Again", occurred_at=later)
        )

    undo(db, report["change_id"])

    assert contact(db, "1")["last_contacted_at"] == later
    assert contact(db, "2")["last_contacted_at"] == CALLED
    with db.session() as session:
        calls = session.execute(select(Interaction.contact_id, Interaction.subject)).all()
    assert sorted(calls) == [(1, "Again"), (2, "Talked engines")]


def test_a_moved_deal_is_found_by_its_new_contacts_name(db, duplicates):
    merge(db, "1", "2")

    with db.session() as session:
        (searched,) = session.scalars(select(Deal.search_text)).all()
    assert "ada lovelace" in searched and "a. lovelace" not in searched
