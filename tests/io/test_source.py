"""Import input: CSV, and an export in JSON or NDJSON piped back, edited or not."""

import json

import pytest


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_an_export_in_json_imports_into_another_database_and_again_changes_nothing(
    crm, fmt, tmp_path, monkeypatch
):
    crm.ok("contact", "add", "Zoë Núñez", "--email", "zoe@example.com", "--company", "Engines",
           "--tag", "vip", "--field", "plan=gold", "--birthday", "--04-12")  # fmt: skip
    crm.ok("deal", "add", "Engine v2", "--contact", "zoe@example.com", "--amount", "1500.50")
    crm.ok("log", "meeting", "zoe", "--summary", "Review", "--deal", "1", "--duration", "45m")
    exports = {e: crm.ok("export", e, "-f", fmt).stdout for e in ("companies", "contacts",
                                                                   "deals", "interactions")}  # fmt: skip
    before = crm.json("contact", "show", "zoe")
    monkeypatch.setenv("CRM_DB", str(tmp_path / "other.db"))

    first = {e: json.loads(crm.ok("import", e, "-", "-f", "json", input=text).stdout)
             for e, text in exports.items()}  # fmt: skip
    again = {e: json.loads(crm.ok("import", e, "-", "-f", "json", input=text).stdout)
             for e, text in exports.items()}  # fmt: skip

    assert [r["inserted"] for r in first.values()] == [1, 1, 1, 1]
    assert [r["unchanged"] for r in again.values()] == [1, 1, 1, 1]
    after = crm.json("contact", "show", "zoe")
    for field in ("name", "emails", "company", "tags", "custom_fields", "birthday"):
        assert after[field] == before[field]
    assert crm.json("deal", "list")[0]["amount"] == "1500.50"
    (meeting,) = crm.json("contact", "show", "zoe")["interactions"]
    assert (meeting["subject"], meeting["duration_seconds"]) == ("Review", 2700)


def test_json_edited_by_a_script_imports_and_its_odd_records_are_refused(crm, tmp_path):
    text = """[
      {"name": "Ada Lovelace", "emails": ["ada@example.com", "ada@work.example"],
       "tags": ["vip"], "do_not_contact": true},
      {"name": "Grace Hopper", "email": "grace@example.com"},
      42,
        {"name": "Alan Turing", "email": "alan@example.com", "shoe_size": 44}
    ]"""
    rejects = tmp_path / "rejects.csv"

    result = crm("import", "contacts", "-", "--rejects", rejects, "-f", "json", input=text)

    summary = json.loads(result.stdout)
    assert (summary["inserted"], summary["rejected"], result.exit_code) == (3, 1, 2)
    assert summary["ignored_columns"] == ["shoe_size"]
    ada = crm.json("contact", "show", "ada@work.example")
    assert (ada["emails"], ada["tags"], ada["do_not_contact"]) == (
        ["ada@example.com", "ada@work.example"], ["vip"], True
    )  # fmt: skip
    assert crm.json("contact", "show", "grace@example.com")["name"] == "Grace Hopper"
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        "crm_line,crm_error,json", "5,is not a JSON object,42"
    ]  # fmt: skip


def test_json_that_does_not_parse_is_refused_with_its_line(crm):
    result = crm("import", "contacts", "-", input='[\n{"name": "Ada"},\n{"name": \n]')

    assert result.exit_code == 2
    assert "line 3: not JSON" in result.stderr  # the record that does not parse
    assert crm.json("contact", "list") == []


def test_a_row_of_one_field_says_field(crm):
    result = crm("import", "companies", "-", "-v", input="name,domain\nAcme\n")

    assert "has 1 field, the header has 2" in result.stderr
