"""Importing companies, deals and interactions: round trips, re-imports, natural keys."""

import csv
import io
import json

import pytest

DEALS = (
    "title,contact email,company,stage,status,amount,currency,created_at,closed_at,lost_reason\n"
    "Öresund renewal,,Ærø Motors,Proposal,open,100,EUR,2026-01-05T10:00:00+00:00,,\n"
    "Élan licence,,Élan SA,Won,won,200,EUR,2026-02-01T10:00:00+00:00,2026-03-15T12:00:00+00:00,\n"
    "Pilot,,Élan SA,Lost,lost,50,EUR,2026-02-03T10:00:00+00:00,2026-02-20T09:00:00+00:00,no budget\n"
)


def deals_csv(crm) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(crm.ok("export", "deals").stdout)))


def test_re_importing_deals_with_accented_titles_changes_nothing(crm):
    crm.ok("import", "deals", "-", input=DEALS)

    again = json.loads(crm.ok("import", "deals", "-", "-f", "json", input=DEALS).stdout)

    assert (again["inserted"], again["unchanged"]) == (0, 3)
    assert len(deals_csv(crm)) == 3


def test_won_and_lost_deals_keep_when_they_closed_and_why(crm):
    crm.ok("import", "deals", "-", input=DEALS)

    deals = {d["title"]: d for d in deals_csv(crm)}

    won, lost = deals["Élan licence"], deals["Pilot"]
    assert (won["status"], won["closed_at"]) == ("won", "2026-03-15T12:00:00+00:00")
    assert (lost["status"], lost["closed_at"]) == ("lost", "2026-02-20T09:00:00+00:00")
    assert lost["lost_reason"] == "no budget"
    assert won["created_at"] == "2026-02-01T10:00:00+00:00"


def test_a_deal_won_in_an_open_stage_as_pipedrive_exports_it_is_won(crm):
    crm.ok("import", "deals", "-", input=(
        "Title,Stage,Status,Value,Currency,Won time,Lost time,Lost reason\n"
        "Big one,Negotiation,won,900,EUR,2026-04-02 10:00:00,,\n"
        "Gone,Proposal,lost,10,EUR,,2026-04-03 10:00:00,Too pricey\n"
    ))  # fmt: skip

    deals = {d["title"]: d for d in deals_csv(crm)}

    assert deals["Big one"]["status"] == "won"
    assert deals["Big one"]["closed_at"] == "2026-04-02T10:00:00+00:00"
    assert (deals["Gone"]["status"], deals["Gone"]["lost_reason"]) == ("lost", "Too pricey")


def test_an_unknown_status_is_refused(crm):
    result = crm("import", "deals", "-", "--format", "json", input="title,status\nA,maybe\n")

    assert result.exit_code == 2
    assert '"rejected": 1' in result.stdout


def test_two_deals_with_one_title_created_at_different_times_both_import(crm):
    crm.ok("import", "deals", "-", input=(
        "title,company,created_at\n"
        "Support renewal,Acme,2025-01-10T09:00:00+00:00\n"
        "Support renewal,Acme,2026-01-10T09:00:00+00:00\n"
    ))  # fmt: skip

    assert [d["created_at"][:4] for d in deals_csv(crm)] == ["2025", "2026"]


# what a fresh database numbers or stamps anew
VOLATILE = {"id", "contact_id", "company_id", "updated_at", "version"}


def exported(crm, entity: str) -> list[dict]:
    rows = crm.json("export", entity)
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]


@pytest.mark.parametrize("entity", ["companies", "deals", "interactions"])
def test_export_then_import_into_an_empty_database_and_again_changes_nothing(
    crm, tmp_path, monkeypatch, entity
):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Zoë Núñez", "--email", "zoe@example.com", "--company", "Ærø Motors")
    crm.ok("company", "edit", "Ærø Motors", "--domain", "aero.example", "--tag", "smb",
           "--owner", "kim", "--field", "tier=gold")  # fmt: skip
    crm.ok("deal", "add", "Ærø fleet", "--contact", "zoe@example.com", "--amount", "10",
           "--created", "2026-01-02", "--owner", "kim")  # fmt: skip
    crm.ok("deal", "lost", "1", "--reason", "timing", "--at", "2026-02-03")
    crm.ok("--user", "kim", "log", "call", "zoe@example.com", "--summary", "Über call",
           "--at", "2026-01-03")  # fmt: skip
    for name in ("contacts", "companies", entity):
        crm.ok("export", name, "-o", tmp_path / f"{name}.csv")
    before = exported(crm, entity)

    monkeypatch.setenv("CRM_DB", str(tmp_path / "fresh.db"))
    for name in ("companies", "contacts"):
        crm.ok("import", name, tmp_path / f"{name}.csv")
    if entity != "companies":
        crm.ok("import", entity, tmp_path / f"{entity}.csv")
    again = json.loads(crm.ok("import", entity, tmp_path / f"{entity}.csv", "-f", "json").stdout)

    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert exported(crm, entity) == before


def test_a_dry_run_of_closed_deals_writes_nothing_and_undo_removes_them(crm):
    dry = json.loads(crm.ok("import", "deals", "-", "--dry-run", "-f", "json", input=DEALS).stdout)
    assert (dry["inserted"], deals_csv(crm)) == (3, [])

    done = json.loads(crm.ok("import", "deals", "-", "-f", "json", input=DEALS).stdout)
    crm.ok("import", "undo", str(done["batch"]))

    assert deals_csv(crm) == []


def companies(crm) -> dict[str, dict]:
    return {c["name"]: c for c in crm.json("company", "list")}


def test_companies_update_and_merge_take_tags_and_owner_and_undo_puts_them_back(crm):
    crm.ok("import", "companies", "-", input="name,domain,tags,owner\nAcme,acme.example,smb,kim\n")

    update = crm.ok("import", "companies", "-", "--on-duplicate", "update", "-f", "json",
                    input="name,domain,tags,owner\nACME,acme.io,enterprise,noor\n")  # fmt: skip
    updated = companies(crm)["Acme"]
    merge = crm.ok("import", "companies", "-", "--on-duplicate", "merge", "-f", "json",
                   input="name,domain,tags,owner,city\nacme,acme.net,vip,alex,Lyon\n")  # fmt: skip
    merged = companies(crm)["Acme"]

    assert (updated["domain"], updated["owner"]) == ("acme.io", "noor")
    assert sorted(updated["tags"]) == ["enterprise", "smb"]
    assert (merged["domain"], merged["owner"], merged["city"]) == ("acme.io", "noor", "Lyon")
    assert sorted(merged["tags"]) == ["enterprise", "smb", "vip"]
    for summary in (merge, update):
        crm.ok("import", "undo", str(json.loads(summary.stdout)["batch"]))
    restored = companies(crm)["Acme"]
    assert (restored["domain"], restored["owner"], restored["city"]) == (
        "acme.example",
        "kim",
        None,
    )
    assert restored["tags"] == ["smb"]


def test_re_importing_companies_with_update_and_their_tags_changes_nothing(crm):
    source = "name,domain,tags,owner\nAcme,acme.example,smb;vip,kim\n"
    crm.ok("import", "companies", "-", input=source)

    again = crm.ok("import", "companies", "-", "--on-duplicate", "update", "-f", "json",
                   input=source)  # fmt: skip

    assert json.loads(again.stdout)["unchanged"] == 1


def test_a_european_file_s_decimal_commas_are_not_read_as_thousands(crm):
    crm.ok(
        "import", "deals", "-", input="Title;Amount;Currency\nLizenz;1.500,50;EUR\nPilot;99,9;EUR\n"
    )

    amounts = {d["title"]: d["amount"] for d in deals_csv(crm)}

    assert amounts == {"Lizenz": "1500.50", "Pilot": "99.90"}


def test_re_importing_interactions_without_a_date_changes_nothing(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    source = "contact,kind,subject\nada@example.com,call,Intro\nada@example.com,note,Intro\n"
    crm.ok("import", "interactions", "-", input=source)

    again = json.loads(crm.ok("import", "interactions", "-", "-f", "json", input=source).stdout)

    assert (again["inserted"], again["unchanged"]) == (0, 2)
    assert len(crm.json("export", "interactions")) == 2


def deal(crm) -> dict:
    (only,) = crm.json("deal", "list")
    return crm.json("deal", "show", str(only["id"]))


def import_deals(crm, source: str, mode: str) -> dict:
    result = crm.ok("import", "deals", "-", "--on-duplicate", mode, "-f", "json", input=source)
    return json.loads(result.stdout)


def test_deals_update_overwrites_and_moves_merge_fills_blanks_and_undo_restores(crm):
    first = import_deals(crm, "title,stage,amount,notes\nBig,Lead,100,first\n", "skip")

    update = import_deals(crm, "title,stage,amount,notes,tags\nBig,Proposal,250,second,hot\n",
                          "update")  # fmt: skip
    updated = deal(crm)
    same = import_deals(crm, "title,stage,amount,notes,tags\nBig,Proposal,250,second,hot\n",
                        "update")  # fmt: skip
    merge = import_deals(crm, "title,stage,amount,notes,expected_close\n"
                         "Big,Won,999,third,2026-12-31\n", "merge")  # fmt: skip
    merged = deal(crm)
    won = import_deals(crm, "title,status,closed_at\nBig,won,2099-01-02T03:04:05+00:00\n",
                       "update")  # fmt: skip
    closed = deal(crm)

    assert (update["updated"], same["unchanged"], merge["updated"], won["updated"]) == (1, 1, 1, 1)
    assert (updated["stage"], updated["amount"], updated["notes"]) == (
        "Proposal",
        "250.00",
        "second",
    )
    assert updated["tags"] == ["hot"]
    assert (merged["stage"], merged["amount"], merged["notes"]) == ("Proposal", "250.00", "second")
    assert merged["expected_close"] == "2026-12-31"
    assert (closed["status"], closed["closed_at"]) == ("won", "2099-01-02T03:04:05+00:00")
    for batch in (won, merge, update):
        crm.ok("import", "undo", str(batch["batch"]))
    restored = deal(crm)
    assert (restored["stage"], restored["status"], restored["amount"]) == ("Lead", "open", "100.00")
    assert (restored["notes"], restored["tags"], restored["expected_close"]) == ("first", [], None)
    assert first["inserted"] == 1


def test_an_interaction_keeps_its_deal_through_export_and_import(crm, tmp_path, monkeypatch):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    crm.ok("deal", "add", "Engines", "--contact", "ada@example.com", "--created", "2026-01-01")
    crm.ok("deal", "add", "Looms", "--contact", "ada@example.com", "--created", "2026-01-01")
    crm.ok("log", "call", "ada@example.com", "--summary", "Loom talk", "--deal", "2",
           "--at", "2026-01-05")  # fmt: skip
    for name in ("contacts", "deals", "interactions"):
        crm.ok("export", name, "-o", tmp_path / f"{name}.csv")

    monkeypatch.setenv("CRM_DB", str(tmp_path / "fresh.db"))
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    crm.ok("deal", "add", "Other", "--contact", "ada@example.com")  # the ids differ here
    for name in ("deals", "interactions"):
        crm.ok("import", name, tmp_path / f"{name}.csv")

    (call,) = crm.json("export", "interactions")
    deals = {d["id"]: d["title"] for d in crm.json("deal", "list")}
    assert (call["deal"], deals[call["deal_id"]]) == ("Looms", "Looms")


def test_an_interaction_naming_a_deal_the_contact_does_not_have_is_refused(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")

    result = crm("import", "interactions", "-", "-v",
                 input="contact,kind,subject,deal\nada@example.com,call,Hi,Nope\n")  # fmt: skip

    assert result.exit_code == 2
    assert "no deal 'Nope'" in result.stderr


def test_directions_and_kinds_as_other_tools_write_them(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")

    crm.ok("import", "interactions", "-", input=(
        "contact,kind,direction,subject,occurred_at\n"
        "ada@example.com,CALL,INBOUND,A,2026-01-01\n"
        "ada@example.com,Phone call,Outgoing,B,2026-01-02\n"
        "ada@example.com,E-mail,received,C,2026-01-03\n"
    ))  # fmt: skip

    logged = [(i["subject"], i["kind"], i["direction"]) for i in crm.json("export", "interactions")]
    assert logged == [("A", "call", "in"), ("B", "call", "out"), ("C", "email", "in")]


def test_rejects_to_stdout_with_a_dash(crm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    result = crm("import", "companies", "-", "--rejects", "-", input="name,domain\nA,a,x\nB,b\n")

    assert result.exit_code == 2
    assert result.stdout.splitlines()[:2] == [
        "crm_line,crm_error,name,domain",
        '2,"has 3 fields, the header has 2",A,a,x',
    ]
    assert not (tmp_path / "-").exists()


def test_rejects_and_the_summary_cannot_both_take_stdout(crm):
    result = crm("import", "companies", "-", "--rejects", "-", "-f", "json", input="name\nA\n")

    assert result.exit_code == 2
    assert "stdout" in result.stderr
    assert crm.json("company", "list") == []


@pytest.mark.parametrize("entity", ["deals", "interactions"])
def test_a_custom_field_is_refused_where_there_are_none(crm, entity):
    result = crm("import", entity, "-", "--map", "source=custom:source",
                 input="title,contact,source\nX,ada@example.com,web\n")  # fmt: skip

    assert result.exit_code == 2
    assert "custom" in result.stderr and "no custom fields" in result.stderr
    assert crm.json("import", "history") == []


def test_an_interaction_logged_by_someone_who_has_left_imports_under_their_name(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    crm.ok("user", "add", "kim")
    crm.ok("user", "disable", "kim")

    crm.ok("import", "interactions", "-",
           input="contact,kind,subject,occurred_at,user\nada@example.com,call,Old,2020-01-01,kim\n")  # fmt: skip

    assert [i["user"] for i in crm.json("export", "interactions")] == ["kim"]


def test_update_tells_apart_deals_of_one_title_by_id_and_refuses_to_guess(crm):
    crm.ok("deal", "add", "Renewal", "--company", "Acme", "--stage", "Lead")
    crm.ok("deal", "add", "Renewal", "--company", "Acme", "--stage", "Proposal")
    listed = crm.ok("deal", "list", "-f", "csv").stdout

    same = import_deals(crm, listed, "update")
    guess = crm("import", "deals", "-", "--on-duplicate", "update", "-v",
                input="title,company,stage\nRenewal,Acme,Won\n")  # fmt: skip

    assert (same["updated"], same["unchanged"]) == (0, 2)
    assert guess.exit_code == 2 and "2 deals match" in guess.stderr
    assert sorted(d["stage"] for d in crm.json("deal", "list")) == ["Lead", "Proposal"]


def test_a_deal_in_a_pipeline_not_there_says_which_there_are_and_how_to_add_it(crm):
    result = crm("import", "deals", "-", "-v", input="title,pipeline,stage\nX,Partnerships,Pilot\n")

    assert result.exit_code == 2
    assert "no pipeline 'Partnerships' (pipelines: Sales; add one with crm pipeline add)" in (
        result.stderr
    )


def test_durations_in_seconds_or_as_crm_log_takes_them(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")

    result = crm("import", "interactions", "-", "-v", input=(
        "contact,kind,subject,occurred_at,duration_seconds\n"
        "ada@example.com,call,A,2026-01-01,90\n"
        "ada@example.com,call,B,2026-01-02,90.0\n"
        "ada@example.com,call,C,2026-01-03,15m\n"
        "ada@example.com,call,D,2026-01-04,1h30m\n"
        "ada@example.com,call,E,2026-01-05,soon\n"
    ))  # fmt: skip

    durations = {i["subject"]: i["duration_seconds"] for i in crm.json("export", "interactions")}
    assert durations == {"A": 90, "B": 90, "C": 900, "D": 5400}
    assert "line 6: reject cannot read the duration 'soon'" in result.stderr
