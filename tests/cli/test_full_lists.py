"""A whole list (`--limit 0`) read in small pages prints what one big page prints."""

import pytest


@pytest.fixture
def tied_contacts(crm):
    """Eleven contacts under three names, made on two days, some called on one day: ties in
    every sort column, for the id to break."""
    for n in range(11):
        crm.ok(
            "contact", "add", f"Person {n % 3}", "--email", f"p{n}@example.com",
            "--tag", "vip" if n % 2 else "lead", "--created", f"2026-10-0{1 + n % 2}",
        )  # fmt: skip
        if n % 3:
            crm.ok("log", "call", f"p{n}@example.com", "-s", "Hi", "--at", "2026-11-02 09:00")
    return crm


@pytest.mark.parametrize(
    "sort",
    ["name", "-name", "created", "-created", "last_contacted", "-last_contacted", "-id"],
)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_contact_list_in_pages_of_two_is_one_page(tied_contacts, monkeypatch, sort, fmt):
    from crmtui.core import reads

    whole = tied_contacts.ok("contact", "list", "--limit", "0", "--sort", sort, "-f", fmt).stdout
    monkeypatch.setattr(reads, "PAGE", 2)
    paged = tied_contacts.ok("contact", "list", "--limit", "0", "--sort", sort, "-f", fmt).stdout

    assert paged == whole
    assert len(whole.splitlines()) >= 12


def test_a_filtered_contact_list_in_pages_is_one_page(tied_contacts, monkeypatch):
    from crmtui.core import reads

    args = ("contact", "list", "--tag", "vip", "--sort", "-last_contacted")
    whole = tied_contacts.json(*args, "--limit", "0")
    monkeypatch.setattr(reads, "PAGE", 2)

    assert tied_contacts.json(*args, "--limit", "0") == whole
    assert [row["id"] for row in tied_contacts.json(*args, "--limit", "3")] == [
        row["id"] for row in whole[:3]
    ]
    assert len(whole) == 5 and all(row["tags"] == ["vip"] for row in whole)


@pytest.mark.parametrize(
    "sort", ["-created", "created", "amount", "-amount", "close", "-close", "title", "id"]
)
def test_deal_list_in_pages_of_two_is_one_page(crm, monkeypatch, sort):
    from crmtui.core import reads

    for n in range(9):  # three titles, three amounts, two days, some with no close date
        close = ("--close", f"2026-12-0{1 + n % 2}") if n % 3 else ()
        crm.ok(
            "deal", "add", f"Deal {n % 3}", "--amount", str(100 * (n % 3)),
            "--created", f"2026-10-0{1 + n % 2}", *close,
        )  # fmt: skip
    whole = crm.ok("deal", "list", "--limit", "0", "--sort", sort, "-f", "json").stdout
    monkeypatch.setattr(reads, "PAGE", 2)
    paged = crm.ok("deal", "list", "--limit", "0", "--sort", sort, "-f", "json").stdout

    assert paged == whole
    assert whole.count('"title"') == 9


@pytest.mark.parametrize("every", [(), ("--all",)])
def test_task_list_in_pages_of_two_is_one_page(crm, monkeypatch, every):
    from crmtui.core import reads

    for n in range(9):  # two due times and the undated, one done
        due = ("--due", f"2026-12-0{1 + n % 2} 09:00") if n % 3 else ()
        crm.ok("task", "add", f"Task {n}", *due)
    crm.ok("task", "done", "5")
    whole = crm.ok("task", "list", "--limit", "0", *every, "-f", "json").stdout
    monkeypatch.setattr(reads, "PAGE", 2)
    paged = crm.ok("task", "list", "--limit", "0", *every, "-f", "json").stdout

    assert paged == whole
    assert whole.count('"title"') == (9 if every else 8)
    limited = crm.json("task", "list", "--limit", "7", *every)
    assert limited == crm.json("task", "list", "--limit", "0", *every)[:7]


@pytest.mark.parametrize("owner", [(), ("--owner", "kim")])
def test_company_list_in_pages_of_two_is_one_page(crm, monkeypatch, owner):
    from crmtui.core import reads

    crm.ok("user", "add", "kim")
    for n in range(7):
        crm.ok("company", "add", f"Firm {n % 4}{n}", "--owner", "kim" if n % 2 else "sam")
    whole = crm.ok("company", "list", "--limit", "0", *owner, "-f", "json").stdout
    monkeypatch.setattr(reads, "PAGE", 2)
    paged = crm.ok("company", "list", "--limit", "0", *owner, "-f", "json").stdout

    assert paged == whole
    assert whole.count('"name"') == (3 if owner else 7)


def test_history_in_pages_of_two_is_one_page(crm, monkeypatch):
    from crmtui.core import reads

    for n in range(4):
        crm.ok("contact", "add", f"Person {n}", "--email", f"p{n}@example.com")
        crm.ok("contact", "edit", f"p{n}@example.com", "--city", f"Town {n}")
    whole = crm.ok("history", "--limit", "0", "-f", "json").stdout
    monkeypatch.setattr(reads, "PAGE", 2)
    paged = crm.ok("history", "--limit", "0", "-f", "json").stdout

    assert paged == whole
    assert whole.count('"action"') == 8
    assert crm.json("history", "--limit", "3") == crm.json("history", "--limit", "0")[:3]
