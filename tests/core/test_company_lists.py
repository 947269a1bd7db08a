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
