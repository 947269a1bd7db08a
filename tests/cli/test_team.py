"""Team members, owners and assignment through the real `crm` command, on both backends."""

import json


def names(rows):
    return [r["name"] if "name" in r else r["title"] for r in rows]


def test_users_are_added_listed_and_disabled(crm):
    crm.ok("user", "add", "kim", "--name", "Kim Lee", "--email", "kim@example.com")

    users = {u["username"]: u for u in crm.json("user", "list")}
    assert users["kim"]["name"] == "Kim Lee"
    assert users["kim"]["active"] is True

    crm.ok("user", "disable", "kim")
    refused = crm("--user", "kim", "contact", "add", "Ada", "--email", "ada@example.com")

    assert refused.exit_code == 2
    assert "kim" in refused.stderr and "disabled" in refused.stderr
    assert crm.json("contact", "list") == []
    assert {u["username"]: u["active"] for u in crm.json("user", "list")}["kim"] is False


def test_a_user_name_is_taken_once(crm):
    crm.ok("user", "add", "kim")

    again = crm("user", "add", "kim")

    assert again.exit_code == 4
    assert "already exists" in again.stderr


def test_a_user_name_names_one_person_whatever_its_case_or_unicode_form(crm):
    crm.ok("user", "add", "kim")
    crm.ok("--user", "Kim", "contact", "add", "Ada", "--email", "ada@example.com")
    crm.ok("--user", "Jose\u0301", "contact", "add", "Bob", "--email", "bob@example.com")
    crm.ok("--user", "Jos\u00e9", "contact", "edit", "bob", "--title", "CEO")
    taken = crm("user", "add", "KIM")

    assert sorted(u["username"] for u in crm.json("user", "list")) == ["José", "kim", "sam"]
    assert [c["name"] for c in crm.json("contact", "list", "--owner", "KIM")] == ["Ada"]
    assert [h["user"] for h in crm.json("history", "bob")] == ["José", "José"]
    assert taken.exit_code == 4


def test_a_user_name_matches_whatever_the_case_of_letters_beyond_ascii(crm):
    crm.ok("user", "add", "ÉLODIE")
    crm.ok("--user", "élodie", "contact", "add", "Ada", "--email", "ada@example.com")
    taken = crm("user", "add", "Élodie")

    assert sorted(u["username"] for u in crm.json("user", "list")) == ["sam", "ÉLODIE"]
    assert [c["name"] for c in crm.json("contact", "list", "--owner", "élodie")] == ["Ada"]
    assert taken.exit_code == 4


def test_a_blank_user_is_no_user_given_not_an_anonymous_change(crm, monkeypatch):
    crm.ok("--user", "  ", "contact", "add", "Ada", "--email", "ada@example.com")
    monkeypatch.setenv("CRM_USER", " ")
    monkeypatch.setattr("getpass.getuser", lambda: "kim")
    crm.ok("contact", "edit", "ada", "--title", "Countess")

    assert [h["user"] for h in crm.json("history", "ada")] == ["kim", "sam"]
    assert crm.json("contact", "show", "ada")["owner"] == "sam"


def test_mine_and_owner_filter_contacts_deals_and_tasks(crm):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    crm.ok("--user", "kim", "contact", "add", "Grace Hopper", "--email", "grace@example.com")
    crm.ok("deal", "add", "Engines", "--contact", "ada")
    crm.ok("--user", "kim", "deal", "add", "Compilers", "--contact", "grace")
    crm.ok("task", "add", "Call Ada", "--contact", "ada")
    crm.ok("task", "add", "Call Grace", "--contact", "grace", "--assignee", "kim")

    assert names(crm.json("contact", "list", "--mine")) == ["Ada Lovelace"]
    assert names(crm.json("--user", "kim", "contact", "list", "--mine")) == ["Grace Hopper"]
    assert names(crm.json("contact", "list", "--owner", "kim")) == ["Grace Hopper"]
    assert names(crm.json("deal", "list", "--mine")) == ["Engines"]
    assert names(crm.json("deal", "list", "--owner", "kim")) == ["Compilers"]
    assert names(crm.json("task", "list", "--mine")) == ["Call Ada"]
    assert names(crm.json("task", "list", "--owner", "kim")) == ["Call Grace"]


def test_assign_one_contact_and_every_match_of_a_filter(crm):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--tag", "expo")
    crm.ok("contact", "add", "Grace Hopper", "--email", "grace@example.com", "--tag", "expo")
    crm.ok("contact", "add", "Alan Turing", "--email", "alan@example.com")

    crm.ok("contact", "assign", "alan@example.com", "--to", "kim")
    assert names(crm.json("contact", "list", "--owner", "kim")) == ["Alan Turing"]

    result = crm.ok("contact", "assign", "--tag", "expo", "--to", "kim", "--yes")
    assert "assigned 2 contacts to kim" in result.stderr
    assert len(crm.json("contact", "list", "--owner", "kim")) == 3
    assert crm.json("contact", "list", "--mine") == []

    history = crm.json("history", "ada")
    assert history[0]["action"] == "update"
    assert history[0]["user"] == "sam"
    assert list(history[0]["changes"]) == ["owner_id"]


def test_assign_needs_a_target_and_a_selection(crm):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")

    assert crm("contact", "assign", "ada").exit_code == 2
    assert crm("contact", "assign", "--to", "sam").exit_code == 2
    unknown = crm("contact", "assign", "ada", "--to", "nobody")
    assert unknown.exit_code == 3
    assert "nobody" in unknown.stderr


def test_assign_refuses_a_disabled_user(crm):
    crm.ok("user", "add", "kim")
    crm.ok("user", "disable", "kim")
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")

    refused = crm("contact", "assign", "ada", "--to", "kim")

    assert refused.exit_code == 2
    assert crm.json("contact", "list")[0]["owner"] == "sam"


def test_assign_deals_in_bulk_and_unassign(crm):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    for title in ("Engines", "Looms", "Tables"):
        crm.ok("deal", "add", title, "--contact", "ada")
    crm.ok("deal", "won", "3")

    crm.ok("deal", "assign", "--status", "open", "--to", "kim", "--yes")

    assert sorted(names(crm.json("deal", "list", "--owner", "kim"))) == ["Engines", "Looms"]
    assert names(crm.json("deal", "list", "--mine")) == ["Tables"]

    crm.ok("deal", "assign", "1", "--to", "-")
    assert [d["owner"] for d in crm.json("deal", "list", "--sort", "id")][:2] == [None, "kim"]


def test_assign_with_a_stale_version_is_a_conflict(crm):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    crm.ok("contact", "edit", "ada", "--title", "Countess")

    stale = crm("contact", "assign", "ada", "--to", "kim", "--if-version", "1")

    assert stale.exit_code == 4
    assert "version" in stale.stderr
    assert crm.json("contact", "list")[0]["owner"] == "sam"


def test_companies_have_owners_to_filter_and_assign(crm):
    for user in ("kim", "lee"):
        crm.ok("user", "add", user)
    crm.ok("--user", "kim", "company", "add", "Acme", "--tag", "enterprise")
    crm.ok("--user", "kim", "company", "add", "Globex", "--tag", "enterprise")
    crm.ok("company", "add", "Initech", "--owner", "lee")

    assert [c["name"] for c in crm.json("--user", "kim", "company", "list", "--mine")] == [
        "Acme",
        "Globex",
    ]
    result = crm.ok("company", "assign", "--tag", "enterprise", "--to", "lee", "--yes")
    assert "assigned 2 companies to lee" in result.stderr
    assert [c["name"] for c in crm.json("company", "list", "--owner", "lee")] == [
        "Acme",
        "Globex",
        "Initech",
    ]
    crm.ok("company", "assign", "Initech", "--to", "-")
    assert crm.json("company", "show", "Initech")["owner"] is None
    assert crm("company", "assign", "--to", "kim").exit_code == 2
    assert crm("company", "assign", "Acme", "--to", "nobody").exit_code == 3
    unassigned = crm.json("history", "--since", "1h")[0]
    assert (unassigned["entity"], unassigned["changes"]["owner_id"][1]) == ("company", None)


def test_exports_filter_by_owner_and_mine(crm):
    crm.ok("user", "add", "kim")
    crm.ok("--user", "kim", "contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    crm.ok("--user", "kim", "company", "add", "Acme")
    crm.ok("--user", "kim", "deal", "add", "Engines", "--contact", "ada")
    crm.ok("contact", "add", "Alan Turing", "--email", "alan@example.com", "--company", "Bletchley")
    crm.ok("deal", "add", "Bombe", "--contact", "alan")

    def exported(*args: str) -> list[str]:
        rows = crm.ok("--user", "kim", "export", *args, "--format", "json").stdout
        return [r.get("title") or r.get("name") or r["display_name"] for r in json.loads(rows)]

    assert exported("contacts", "--mine") == ["Ada Lovelace"]
    assert exported("companies", "--mine") == ["Acme"]
    assert exported("companies", "--owner", "sam") == ["Bletchley"]
    assert exported("deals", "--mine") == ["Engines"]


def test_an_owner_typed_by_hand_must_be_a_team_member_a_file_may_bring_new_ones(crm, tmp_path):
    crm.ok("user", "add", "kim")
    typo = crm("contact", "add", "Ada", "--email", "ada@example.com", "--owner", "kmi")
    deal = crm("deal", "add", "Engines", "--owner", "kmi")
    task = crm("task", "add", "Call Ada", "--assignee", "kmi")
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com", "--owner", "KIM")
    companies = tmp_path / "companies.csv"
    companies.write_text("name,owner\nInitech,lee\n", encoding="utf-8")
    crm.ok("import", "companies", companies)

    for result in (typo, deal, task):
        assert result.exit_code == 3
        assert "no user named 'kmi' (crm user add kmi adds one)" in result.stderr
    assert crm.json("contact", "show", "ada")["owner"] == "kim"
    assert sorted(u["username"] for u in crm.json("user", "list")) == ["kim", "lee", "sam"]
