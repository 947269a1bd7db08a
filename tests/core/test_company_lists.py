"""Company lists of one owner page in name order without walking every company."""

import pytest
from query_plans import query_plans  # tests/query_plans.py

from crmtui.core.companies import add_company, list_companies
from crmtui.core.schemas import CompanyInput
from crmtui.core.users import add_user


@pytest.mark.sqlite_only
@pytest.mark.parametrize("few", [10_000, 1])
def test_an_owners_companies_come_in_name_order_few_or_many(db, monkeypatch, few):
    """Few are read through the owner index and sorted: an owner of none walked all 125,000 of
    the 1M demo's companies, 0.9 s. (Many are left to SQLite, whose statistics choose.)"""
    from crmtui.core import companies

    monkeypatch.setattr(companies, "FEW_CONTACTS", few)
    with db.transaction(username="sam") as session:
        add_user(session, "kim")
        for n, owner in enumerate(["kim", "sam", "kim", "sam", "kim"]):
            add_company(session, CompanyInput(name=f"Firm {4 - n}", owner=owner))
    with db.session() as session, query_plans(session, "company ") as plans:
        names = [c.name for c in list_companies(session, owner="Kim", limit=2)]

    assert names == ["Firm 0", "Firm 2"]
    walked = [plan for plan in plans if plan.startswith(("SCAN company", "SEARCH company"))]
    if few > 1:
        assert walked and all("ix_company_owner_id" in plan for plan in walked), plans


def test_companies_page_by_name_forwards_and_backwards(db):
    """Keyset pages walk every company in the order the list sorts them (accents and case
    folded), from the top or back from the end, and each page seeks to its place in the name
    index rather than reading the list from the start."""
    from crmtui.core.reads import company_page, count_companies

    names = ["Émile & Co", "acme", "Zeta", "Beta", "Éclair", "delta", "Alpha", "gamma", "Omega"]
    with db.transaction(username="sam") as session:
        for name in names:
            add_company(session, CompanyInput(name=name))
    with db.session() as session:
        expected = [c.name for c in list_companies(session)]
        forwards, after = [], None
        while page := company_page(session, after=after, limit=2):
            forwards += [c.name for c in page]
            after = (page[-1].name_key, page[-1].id)
        backwards, after = [], None
        while page := company_page(session, after=after, descending=True, limit=4):
            backwards += [c.name for c in page]
            after = (page[-1].name_key, page[-1].id)
        assert count_companies(session) == len(names)

    assert forwards == expected == backwards[::-1]
    assert expected[:3] == ["acme", "Alpha", "Beta"]


def test_pages_of_a_search_hold_only_its_matches_in_name_order(db):
    from crmtui.core.reads import company_page

    names = ["Émile Engines", "acme", "Engines Zeta", "Beta Engines", "delta", "Engines alpha"]
    with db.transaction(username="sam") as session:
        for name in names:
            add_company(session, CompanyInput(name=name))
    with db.session() as session:
        forwards, after = [], None
        while page := company_page(session, after=after, limit=2, query="engines"):
            forwards += [c.name for c in page]
            after = (page[-1].name_key, page[-1].id)
        last = company_page(session, descending=True, limit=1, query="ENGINES")

    assert forwards == ["Beta Engines", "Émile Engines", "Engines alpha", "Engines Zeta"]
    assert [c.name for c in last] == ["Engines Zeta"]


@pytest.mark.sqlite_only
def test_a_page_of_companies_seeks_to_its_place_in_the_name_index(db):
    from crmtui.core.reads import company_page

    with db.transaction(username="sam") as session:
        for n in range(5):
            add_company(session, CompanyInput(name=f"Firm {n}"))
    with db.session() as session, query_plans(session, "company ") as plans:
        first = company_page(session, limit=2)
        company_page(session, after=(first[-1].name_key, first[-1].id), limit=2)

    walked = [plan for plan in plans if plan.startswith(("SCAN company", "SEARCH company"))]
    assert any(plan.startswith("SEARCH company USING COVERING INDEX") for plan in walked), plans
    assert not any("TEMP B-TREE" in plan for plan in plans), plans
