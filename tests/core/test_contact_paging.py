"""Keyset paging visits every contact exactly once, in order, whatever the sort."""

import pytest
from query_plans import query_plans  # tests/query_plans.py

from crmtui.core import contacts, interactions
from crmtui.core.schemas import ContactInput, InteractionInput
from crmtui.core.timeparse import parse_when


@pytest.mark.parametrize(
    "sort",
    ["name", "-name", "created", "-created", "last_contacted", "-last_contacted", "id", "-id"],
)
def test_pages_cover_every_contact_once(db, sort):
    with db.transaction(username="sam") as session:
        for n in range(23):
            contact = contacts.add_contact(session, ContactInput(name=f"Person {n % 7}"))
            if n % 3:
                interactions.log_interaction(
                    session,
                    InteractionInput(contact=str(contact.id), kind="call", subject="hi",
                                     occurred_at=parse_when(f"2026-10-{1 + n % 5:02d}")),
                )  # fmt: skip

    seen, after = [], None
    with db.session() as session:
        everything = [c.id for c in contacts.list_contacts(session, sort=sort, limit=None)]
        while True:
            page = contacts.list_contacts(session, sort=sort, limit=4, after=after)
            if not page:
                break
            seen += [c.id for c in page]
            after = (contacts.sort_value(page[-1], sort), page[-1].id)

    assert seen == everything
    assert sorted(seen) == list(range(1, 24))


@pytest.mark.parametrize("few_matches", [4, 10_000])  # PostgreSQL reads the matches first or not
@pytest.mark.parametrize("sort", ["name", "-name", "last_contacted", "-id"])
def test_pages_of_a_search_cover_every_match_once(db, monkeypatch, sort, few_matches):
    from crmtui.core import search
    from crmtui.core.schemas import ContactFilter

    monkeypatch.setattr(search, "FEW_MATCHES", few_matches)
    with db.transaction(username="sam") as session:
        for n in range(13):
            contact = contacts.add_contact(
                session, ContactInput(name=f"{'Zoe' if n % 2 else 'Ann'} Person{n % 5}")
            )
            if n % 3:
                interactions.log_interaction(
                    session, InteractionInput(contact=str(contact.id), kind="call", subject="hi")
                )

    seen, after, zoes = [], None, ContactFilter(query="zoe")
    with db.session() as session:
        everything = [c.id for c in contacts.list_contacts(session, zoes, sort=sort, limit=None)]
        while page := contacts.list_contacts(session, zoes, sort=sort, limit=2, after=after):
            seen += [c.id for c in page]
            after = (contacts.sort_value(page[-1], sort), page[-1].id)

    assert seen == everything
    assert sorted(seen) == list(range(2, 14, 2))


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sort", ["name", "-name", "created", "-created", "-last_contacted"])
def test_a_page_deep_in_the_list_starts_from_the_index_not_the_top(db, sort):
    with db.transaction(username="sam") as session:
        for n in range(5):
            contact = contacts.add_contact(session, ContactInput(name=f"Person {n}"))
            interactions.log_interaction(
                session, InteractionInput(contact=str(contact.id), kind="call", subject="hi")
            )
    with db.session() as session:
        first = contacts.list_contacts(session, sort=sort, limit=2)
        after = (contacts.sort_value(first[-1], sort), first[-1].id)
        with query_plans(session, "contact") as plans:
            contacts.list_contacts(session, sort=sort, limit=2, after=after)
    assert plans and all(plan.startswith("SEARCH contact") for plan in plans), plans


def test_a_broad_search_pages_in_id_order_off_the_search_index(db):
    from crmtui.core.schemas import ContactFilter

    with db.transaction(username="sam") as session:
        for n in range(12):
            contacts.add_contact(session, ContactInput(name=f"{'Mara' if n % 3 else 'Otto'} {n}"))
    with db.session() as session:
        every = [
            c.id for c in contacts.list_contacts(session, ContactFilter(query="ma"), sort="id")
        ]
        seen, after = [], None
        while page := contacts.search_page_by_id(session, "ma", after_id=after, limit=3):
            seen += [c.id for c in page]
            after = page[-1].id
        backwards = contacts.search_page_by_id(session, "ma", after_id=every[-1], descending=True)
    assert len(every) == 8 and seen == every
    assert [c.id for c in backwards] == every[-2::-1]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sort", ["name", "-name"])
def test_one_stage_in_name_order_reads_the_stage_index_in_order(db, sort):
    """Not every customer read and sorted for one page: on the 1M demo that was 183,000 rows."""
    from crmtui.core.schemas import ContactFilter

    with db.transaction(username="sam") as session:
        for n in range(6):
            stage = "customer" if n % 2 else "lead"
            contacts.add_contact(session, ContactInput(name=f"Person {n}", lifecycle_stage=stage))
    customers = ContactFilter(lifecycle_stage="customer")
    with db.session() as session, query_plans(session, "contact") as plans:
        first = contacts.list_contacts(session, customers, sort=sort, limit=2)
        after = (contacts.sort_value(first[-1], sort), first[-1].id)
        rest = contacts.list_contacts(session, customers, sort=sort, limit=2, after=after)
    names = [c.display_name for c in [*first, *rest]]
    assert names == sorted(["Person 1", "Person 3", "Person 5"], reverse=sort == "-name")
    assert not [plan for plan in plans if "TEMP B-TREE" in plan], plans


def _people(db, owners_and_tags):
    """Contacts Person 0, 1, ... owned and tagged as given; the users sam and kim."""
    with db.transaction(username="sam") as session:
        from crmtui.core.users import ensure_user

        ensure_user(session, "kim")
        for n, (owner, tags) in enumerate(owners_and_tags):
            contacts.add_contact(session, ContactInput(name=f"Person {n}", owner=owner, tags=tags))


def _every_page(session, filters, sort):
    seen, after = [], None
    while page := contacts.list_contacts(session, filters, sort=sort, limit=2, after=after):
        seen += [c.display_name for c in page]
        after = (contacts.sort_value(page[-1], sort), page[-1].id)
    return seen


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sort", ["name", "-last_contacted", "id"])
def test_an_owner_of_few_contacts_has_them_read_through_the_owner_index(db, sort):
    """Not the whole name index walked for them: on the 1M demo an owner of none took 4 s."""
    from crmtui.core.schemas import ContactFilter

    _people(db, [("sam", []), ("kim", []), ("sam", []), ("kim", []), ("sam", [])])
    with db.session() as session, query_plans(session, "contact ") as plans:
        kims = _every_page(session, ContactFilter(owner="KIM"), sort)
    assert sorted(kims) == ["Person 1", "Person 3"] and len(kims) == 2
    walked = [plan for plan in plans if plan.startswith(("SCAN contact", "SEARCH contact "))]
    assert walked and all("ix_contact_owner" in plan for plan in walked), plans


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sort", ["name", "-created", "last_contacted"])
def test_a_tag_on_many_contacts_is_checked_along_the_sort_index(db, monkeypatch, sort):
    """Not every tagged contact read and sorted for a page: the demo's newsletter tag (289,000
    contacts) took 1.6 s a page."""
    from crmtui.core import reads
    from crmtui.core.schemas import ContactFilter

    monkeypatch.setattr(reads, "FEW_CONTACTS", 2)
    _people(db, [("sam", ["news"]), ("kim", []), ("sam", ["news"]), ("kim", ["news", "vip"])])
    with db.session() as session:
        with query_plans(session, "contact ") as plans:
            tagged = _every_page(session, ContactFilter(tag="News"), sort)
        kims = _every_page(session, ContactFilter(tag="news", owner="kim"), sort)
    assert sorted(tagged) == ["Person 0", "Person 2", "Person 3"] and len(tagged) == 3
    assert kims == ["Person 3"]
    assert plans and not [plan for plan in plans if "TEMP B-TREE" in plan], plans


@pytest.mark.sqlite_only
def test_an_owners_newest_contacts_come_off_the_owner_index_in_order(db, monkeypatch):
    from crmtui.core import reads
    from crmtui.core.schemas import ContactFilter

    monkeypatch.setattr(reads, "FEW_CONTACTS", 1)
    _people(db, [("sam", []), ("kim", []), ("kim", []), ("sam", []), ("kim", [])])
    with db.session() as session, query_plans(session, "contact ") as plans:
        newest = _every_page(session, ContactFilter(owner="kim"), "-created")
    assert newest == ["Person 4", "Person 2", "Person 1"]
    assert plans and all("ix_contact_owner_created" in plan for plan in plans), plans
