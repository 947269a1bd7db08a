"""`crm contact ...` against a real database file, as scripts call it."""

import json


def add_ada(crm):
    crm.ok(
        "contact", "add", "Ada Lovelace", "--email", "ada@example.com",
        "--phone", "+44 20 7946 0000", "--company", "Analytical Engines", "--tag", "vip",
    )  # fmt: skip


def test_add_then_list_as_json_has_the_documented_fields(crm):
    add_ada(crm)
    crm.ok("contact", "add", "Zoë Smith", "--email", "zoe@example.org", "--created", "2026-10-03")

    rows = crm.json("contact", "list")

    ada, zoe = rows
    assert ada["first_name"] == "Ada" and ada["last_name"] == "Lovelace"
    assert ada["email"] == "ada@example.com"
    assert ada["phone"] == "+44 20 7946 0000"
    assert ada["company"] == "Analytical Engines"
    assert ada["tags"] == ["vip"]
    assert zoe["created_at"].startswith("2026-10-03")
    assert {"id", "created_at"} <= ada.keys()


def test_show_by_email_any_case(crm):
    add_ada(crm)

    shown = crm.json("contact", "show", "ADA@Example.com")

    assert shown["name"] == "Ada Lovelace"
    assert shown["interactions"] == [] and shown["deals"] == []


def test_add_prints_the_new_id_on_stdout_for_scripts(crm):
    result = crm.ok("contact", "add", "Grace Hopper", "--email", "grace@example.com")

    assert result.stdout.strip() == "1"
    assert "added contact 1" in result.stderr


def test_search_is_case_and_accent_insensitive(crm):
    crm.ok("contact", "add", "Zoë Núñez", "--email", "zoe@example.org")
    add_ada(crm)

    found = crm.json("search", "zoe")
    by_surname = crm.json("search", "NUNEZ")

    assert [r["name"] for r in found] == ["Zoë Núñez"]
    assert [r["name"] for r in by_surname] == ["Zoë Núñez"]


def test_search_finds_companies_and_deals_too(crm):
    add_ada(crm)
    crm.ok("deal", "add", "Engine order", "--contact", "ada@example.com", "--amount", "10")

    types = {r["type"] for r in crm.json("search", "engine")}

    assert types == {"contact", "company", "deal"}


def test_search_without_a_limit_lists_every_match_a_page_at_a_time(crm, monkeypatch):
    from crmtui.core import search

    monkeypatch.setattr(search, "SEARCH_PAGE", 2)
    monkeypatch.setattr(search, "RANKED_MATCHES", 3)
    for n in range(5):
        crm.ok("contact", "add", f"Zed Engine {n}", "--email", f"zed{n}@example.com")
    crm.ok("contact", "add", "Other", "--email", "other@example.com", "--company", "Engine Co")
    crm.ok("deal", "add", "Engine order", "--contact", "other@example.com", "--amount", "10")

    found = crm.json("search", "engine", "--limit", "0")
    csv_lines = crm.ok("search", "engine", "--limit", "0").stdout.splitlines()

    assert [(r["type"], r["name"]) for r in found] == [
        *(("contact", f"Zed Engine {n}") for n in range(5)),
        ("contact", "Other"), ("company", "Engine Co"), ("deal", "Engine order"),
    ]  # fmt: skip
    assert len(csv_lines) == 1 + 8 and len(crm.json("search", "engine", "--limit", "4")) == 4
    assert crm.json("search", "nothing-like-it", "--limit", "0") == []


def test_contact_named_by_unambiguous_name(crm):
    add_ada(crm)

    assert crm.json("contact", "show", "ada lovelace")["email"] == "ada@example.com"


def test_ambiguous_name_lists_the_candidates_and_exits_2(crm):
    crm.ok("contact", "add", "Sam Smith", "--email", "sam1@example.com")
    crm.ok("contact", "add", "Sam Smith", "--email", "sam2@example.com")

    result = crm("contact", "show", "Sam Smith")

    assert result.exit_code == 2
    assert "1 Sam Smith" in result.stderr and "2 Sam Smith" in result.stderr


def test_edit_changes_fields_and_emails(crm):
    add_ada(crm)

    crm.ok(
        "contact",
        "edit",
        "ada@example.com",
        "--add-email",
        "ada@work.example",
        "--stage",
        "customer",
    )

    shown = crm.json("contact", "show", "ada@work.example")
    assert shown["emails"] == ["ada@example.com", "ada@work.example"]
    assert shown["lifecycle_stage"] == "customer"


def test_adding_another_contacts_email_is_a_conflict(crm):
    add_ada(crm)
    crm.ok("contact", "add", "Grace Hopper", "--email", "grace@example.com")

    result = crm("contact", "edit", "ada@example.com", "--add-email", "GRACE@example.com")

    assert result.exit_code == 4
    assert result.stderr == "crm: the email grace@example.com already belongs to contact 2\n"
    assert crm.json("contact", "show", "1")["emails"] == ["ada@example.com"]


def test_edits_name_the_fields_as_the_record_shows_them(crm):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    crm.ok("deal", "add", "Engines", "--contact", "ada@example.com", "--amount", "100")

    contact = crm.ok("contact", "edit", "1", "--name", "Ada King", "--birthday", "1815-12-10",
                     "--company", "Analytical Engines").stderr  # fmt: skip
    deal = crm.ok("deal", "edit", "1", "--amount", "250", "--company", "Analytical Engines").stderr
    company = crm.ok("company", "edit", "Analytical Engines", "--name", "Engines Ltd").stderr

    assert contact == "contact 1: birthday, company, last_name, name changed\n"
    assert deal == "deal 1: amount, company changed\n"
    assert company == "company 1: name changed\n"


def test_edit_with_a_stale_version_is_a_conflict(crm):
    add_ada(crm)
    crm.ok("contact", "edit", "1", "--title", "Countess")

    result = crm("contact", "edit", "1", "--title", "Analyst", "--if-version", "1")

    assert result.exit_code == 4
    assert crm.json("contact", "show", "1")["job_title"] == "Countess"


def test_tag_untag_and_filter_by_tag(crm):
    add_ada(crm)
    crm.ok("contact", "add", "Grace Hopper", "--email", "grace@example.com")

    crm.ok("contact", "tag", "grace@example.com", "navy", "vip")
    crm.ok("contact", "untag", "ada@example.com", "vip")

    assert [r["name"] for r in crm.json("contact", "list", "--tag", "VIP")] == ["Grace Hopper"]


def test_filters_company_stage_custom_field_and_sort(crm):
    add_ada(crm)
    crm.ok("contact", "add", "Charles Babbage", "--email", "cb@example.com", "--company",
           "analytical engines", "--field", "plan=gold", "--stage", "customer")  # fmt: skip
    crm.ok("contact", "add", "Alan Turing", "--email", "alan@example.com", "--field", "plan=free")

    company = crm.json("contact", "list", "--company", "Analytical Engines")
    gold = crm.json("contact", "list", "--where", "plan=gold")
    customers = crm.json("contact", "list", "--stage", "customer")
    newest_first = crm.json("contact", "list", "--sort", "-id", "--limit", "2")

    assert [r["name"] for r in company] == ["Ada Lovelace", "Charles Babbage"]
    assert [r["name"] for r in gold] == ["Charles Babbage"]
    assert [r["name"] for r in customers] == ["Charles Babbage"]
    assert [r["id"] for r in newest_first] == [3, 2]


def test_company_is_shared_case_insensitively(crm):
    add_ada(crm)
    crm.ok("contact", "add", "Charles Babbage", "--company", "ANALYTICAL ENGINES")

    companies = crm.json("company", "list")

    assert [(c["name"], c["contacts"]) for c in companies] == [("Analytical Engines", 2)]


def test_delete_keeps_deals_unlinked(crm):
    add_ada(crm)
    crm.ok("deal", "add", "Engine order", "--contact", "ada@example.com", "--amount", "5")

    crm.ok("contact", "delete", "ada@example.com", "--yes")

    assert crm.json("contact", "list") == []
    assert crm.json("deal", "show", "1")["contact_id"] is None


def test_csv_and_ndjson_formats(crm):
    add_ada(crm)

    csv_out = crm.ok("contact", "list", "--format", "csv").stdout.splitlines()
    ndjson_out = crm.ok("contact", "list", "--format", "ndjson").stdout.splitlines()

    assert csv_out[0].startswith("id,name,email")
    assert "Ada Lovelace" in csv_out[1]
    assert json.loads(ndjson_out[0])["email"] == "ada@example.com"


def test_birthday_with_and_without_year(crm):
    crm.ok("contact", "add", "A", "--email", "a@example.com", "--birthday", "1985-04-12")
    crm.ok("contact", "add", "B", "--email", "b@example.com", "--birthday", "--04-12")

    assert crm.json("contact", "show", "a@example.com")["birthday"] == "1985-04-12"
    assert crm.json("contact", "show", "b@example.com")["birthday"] == "--04-12"


def test_lists_and_exports_narrow_by_consent_and_who_may_be_reached(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com", "--consent", "subscribed")
    crm.ok("contact", "add", "Bob", "--email", "bob@example.com", "--consent", "unsubscribed")
    crm.ok("contact", "add", "Cy", "--email", "cy@example.com")
    crm.ok("contact", "add", "Di", "--email", "di@example.com", "--consent", "subscribed",
           "--do-not-contact")  # fmt: skip
    names = lambda *args: [r["name"] for r in crm.json(*args)]  # noqa: E731

    assert names("contact", "list", "--consent", "subscribed") == ["Ada", "Di"]
    assert names("contact", "list", "--contactable") == ["Ada", "Cy"]
    assert names("export", "contacts", "-f", "json", "--consent", "subscribed",
                 "--contactable") == ["Ada"]  # fmt: skip
    refused = crm("contact", "list", "--consent", "yes")
    assert refused.exit_code == 2 and "email consent" in refused.stderr
