"""`crm import ...` as scripts and people use it: summaries, exit codes, stdin, history, undo."""

import json
import signal
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

DATA = Path(__file__).parent.parent / "data" / "import"
SUMMARY_KEYS = ["batch", "rows", "inserted", "updated", "unchanged", "rejected", "ignored_columns"]


def test_json_summary_for_scripts(crm):
    result = crm("import", "contacts", DATA / "google.csv", "--format", "json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert list(summary) == SUMMARY_KEYS
    assert summary == {
        "batch": 1, "rows": 3, "inserted": 3, "updated": 0, "unchanged": 0, "rejected": 0,
        "ignored_columns": [],
    }  # fmt: skip
    ada = crm.json("contact", "show", "ada@example.com")
    assert ada["emails"][0] == "ada@example.com" and ada["birthday"] == "1815-12-10"
    companies = crm.json("company", "list")
    assert [(c["name"], c["contacts"]) for c in companies] == [
        ("Analytical Engines", 2), ("US Navy", 1),
    ]  # fmt: skip


def test_csv_summary_for_scripts(crm):
    result = crm.ok("import", "contacts", DATA / "google.csv", "--format", "csv")

    assert result.stdout == (
        "batch,rows,inserted,updated,unchanged,rejected,ignored_columns\n1,3,3,0,0,0,\n"
    )


def test_exit_2_when_rows_are_rejected_and_the_rejects_file(crm, tmp_path):
    rejects = tmp_path / "rejects.csv"

    result = crm("import", "contacts", DATA / "bad.csv", "--rejects", rejects, "--format", "json")

    assert result.exit_code == 2
    assert json.loads(result.stdout)["rejected"] == 6
    assert rejects.read_text().count("\n") == 7


def test_an_interaction_beyond_the_calendar_or_a_century_long_is_a_rejected_row(crm, tmp_path):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    source = tmp_path / "calls.csv"
    source.write_text(
        "contact email,kind,occurred at,subject,duration seconds\n"
        "ada@example.com,call,+999999999d,Far future,\n"
        f"ada@example.com,call,2026-10-04 10:00,Endless,{'9' * 30}\n"
        "ada@example.com,call,2026-10-05 10:00,Intro,600\n"
    )

    result = crm("import", "interactions", source, "--format", "json")

    assert result.exit_code == 2, result.stderr
    assert json.loads(result.stdout)["inserted"] == 1


def test_match_on_a_custom_field_named_as_in_map(crm, tmp_path):
    crm.ok("contact", "add", "Ann A", "--field", "plan=gold")
    source = tmp_path / "plans.csv"
    source.write_text("name,plan\nAnne B,gold\n")

    result = crm("import", "contacts", source, "--keep-unknown", "--match", "custom:plan")

    assert result.exit_code == 0, result.stderr
    assert "inserted 0, updated 0, unchanged 1" in result.stderr
    assert [c["name"] for c in crm.json("contact", "list")] == ["Ann A"]


def test_match_on_a_field_no_column_feeds_is_refused(crm, tmp_path):
    source = tmp_path / "plans.csv"
    source.write_text("name,Plan\nAnne B,gold\n")

    result = crm("import", "contacts", source, "--keep-unknown", "--match", "plan")

    assert result.exit_code == 2
    assert result.stderr.startswith("crm: --match plan: no column is read as that custom field")
    assert "this file's: Plan;" in result.stderr
    assert crm.json("contact", "list") == []


def test_a_vcard_cut_short_is_a_rejected_row_not_lost(crm):
    cards = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Cut Short\nEMAIL:cut@example.com\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Whole\nEMAIL:whole@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Last\nEMAIL:last@example.com\n"
    )

    result = crm("import", "contacts", "-", "-v", input=cards)

    assert result.exit_code == 2
    assert "line 1: reject unreadable vCard: no END:VCARD" in result.stderr
    assert "line 10: reject unreadable vCard: no END:VCARD" in result.stderr
    assert "3 rows (batch 1): inserted 1, updated 0, unchanged 0, rejected 2" in result.stderr


@pytest.mark.parametrize("kind", ["contacts", "companies"])
def test_rejects_into_the_file_being_imported_is_refused_and_the_file_kept(crm, tmp_path, kind):
    source = tmp_path / "people.csv"
    text = "name,email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(5000))
    source.write_text(text)

    result = crm("import", kind, source, "--rejects", tmp_path / "." / "people.csv")

    assert result.exit_code == 2
    assert "is the file being imported: name another file" in result.stderr
    assert source.read_text() == text
    assert crm.json("contact" if kind == "contacts" else "company", "list") == []


@pytest.mark.parametrize("delimiter", [";;", '"'])
def test_a_delimiter_of_other_than_one_plain_character_is_bad_usage(crm, delimiter):
    result = crm("import", "contacts", DATA / "google.csv", "--delimiter", delimiter)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"crm: --delimiter {delimiter!r}: give one character")
    assert crm.json("contact", "list") == []


def test_a_byte_of_another_encoding_far_into_the_file_is_named_by_its_own_line(crm, tmp_path):
    source = tmp_path / "late.csv"
    rows = "".join(f"Zoë {i},z{i}@example.com\r\n" for i in range(4000))  # past the 64 KiB sniffed
    source.write_bytes(b"name,email\r\n" + rows.encode() + b"Ren\xe9,rene@example.com\r\n")

    result = crm("import", "contacts", source)

    assert result.exit_code == 2
    assert result.stderr == (
        f"crm: {source}: line 4002 is not utf-8: pass --encoding (e.g. cp1252)\n"
    )


def test_a_file_that_is_no_text_in_either_encoding_is_not_told_to_try_the_one_tried(crm, tmp_path):
    source = tmp_path / "photo.csv"
    source.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x81\x8d\x8f\x90\x9d" * 50)

    result = crm("import", "contacts", source)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"crm: {source} is not cp1252: is it text?")
    assert "e.g. cp1252" not in result.stderr
    assert crm.json("import", "history") == []


def test_a_file_without_a_name_or_email_column_is_refused_before_any_row(crm, tmp_path):
    source = tmp_path / "orders.csv"
    source.write_text("order;total\n17;30.00\n18;12.50\n", encoding="utf-8")
    phones = tmp_path / "phones.csv"
    phones.write_text("phone,city\n+1 555 0100,Paris\n", encoding="utf-8")
    crm.ok("contact", "add", "Ada Lovelace", "--phone", "+1 555 0100")

    refused = crm("import", "contacts", source)
    matched = crm("import", "contacts", phones, "--match", "phone", "--on-duplicate", "update")

    assert refused.exit_code == 2
    assert refused.stderr == (
        "crm: no column gives a name or an email (columns: order, total): rename one "
        "(crm import presets lists the headers read) or use --map COLUMN=name|email\n"
    )
    assert [b["file"] for b in crm.json("import", "history")] == [str(phones)]  # none refused
    assert matched.exit_code == 0 and crm.json("contact", "show", "1")["city"] == "Paris"


@pytest.mark.parametrize(
    ("kind", "says"),
    [("companies", "the company's name"), ("deals", "the deal's title"),
     ("interactions", "the contact's email or name")],
)  # fmt: skip
def test_records_without_their_key_column_are_refused_before_any_row(crm, tmp_path, kind, says):
    source = tmp_path / "export.csv"
    source.write_text("ref,total\n17,30.00\n", encoding="utf-8")

    result = crm("import", kind, source)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"crm: no column gives {says} (columns: ref, total)")
    assert crm.json("import", "history") == []


def test_import_undo_in_each_format_for_scripts(crm):
    crm.ok("import", "contacts", DATA / "google.csv")
    ndjson = crm.ok("import", "undo", "1", "--format", "ndjson").stdout
    crm.ok("import", "contacts", DATA / "google.csv")
    as_csv = crm.ok("import", "undo", "2", "--format", "csv").stdout

    assert len(ndjson.splitlines()) == 1
    deleted = json.loads(ndjson)["deleted"]
    assert json.loads(ndjson) == {"batch": 1, "deleted": deleted, "restored": 0}
    assert as_csv == f"batch,deleted,restored\n2,{deleted},0\n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read_as_utf16(crm, tmp_path, encoding):
    source = tmp_path / "unicode.csv"
    source.write_bytes("name,email\r\nZoë Núñez,zoe@example.com\r\n".encode(encoding))

    crm.ok("import", "contacts", source)

    assert crm.json("contact", "show", "zoe@example.com")["name"] == "Zoë Núñez"


def test_excels_sep_line_names_the_delimiter_and_lines_count_from_it(crm):
    text = "sep=;\r\nName;Email\r\nMüller, Hans;hans@example.de\r\nBad;x\r\n"

    result = crm("import", "contacts", "-", "-v", input=text)

    assert result.exit_code == 2
    assert "line 3: insert Müller, Hans <hans@example.de>" in result.stderr
    assert "line 4: reject invalid email 'x'" in result.stderr


def test_verbose_tells_each_row_in_line_order(crm):
    text = "name,email\nAda,ada@example.com\nBad,x\nBob,bob@example.com\nCleo,cleo@example.com\nAda Again,ADA@example.com\n"

    first = crm("import", "contacts", "-", "-v", input=text)
    again = crm("import", "contacts", "-", "-v", "--on-duplicate", "update", input=text)

    told = [line.split(":")[0] for line in first.stderr.splitlines()[:-1]]
    assert told == ["line 2", "line 3", "line 4", "line 5", "line 6"], first.stderr
    assert [line.split(":")[0] for line in again.stderr.splitlines()[:-1]] == told, again.stderr


def test_exit_1_when_the_import_fails(crm, tmp_path):
    missing = crm("import", "contacts", tmp_path / "nope.csv")
    assert missing.exit_code == 1
    assert "cannot read" in missing.stderr


def test_reads_stdin(crm):
    text = "name,email\nAda,ada@example.com\nGrace,grace@example.com\n"

    result = crm("import", "contacts", "-", "--format", "json", input=text)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inserted"] == 2
    assert json.loads(result.stdout)["batch"] == 1
    assert crm.json("import", "history")[0]["file"] == "<stdin>"


def test_dry_run_verbose_shows_each_change_and_writes_nothing(crm):
    result = crm("import", "contacts", DATA / "hubspot.csv", "--dry-run", "-v")

    assert result.exit_code == 0, result.output
    assert "line 2: insert Katherine Johnson <katherine@nasa.example>" in result.stderr
    assert "3 rows (dry run, nothing written): would be inserted 3," in result.stderr
    assert crm.json("contact", "list") == []
    assert crm.json("import", "history") == []


def test_the_summary_reads_as_english_with_thousands_grouped(crm, tmp_path):
    one = tmp_path / "one.csv"
    one.write_text("name,email\nAda Lovelace,ada@example.com\n")
    many = tmp_path / "many.csv"
    many.write_text("name,email\n" + "".join(f"P {n},p{n}@example.com\n" for n in range(1200)))

    assert "1 row (batch 1): inserted 1, updated 0" in crm("import", "contacts", one).stderr
    assert "1,200 rows (batch 2): inserted 1,200," in crm("import", "contacts", many).stderr


def test_second_import_is_all_unchanged(crm):
    crm.ok("import", "contacts", DATA / "outlook.csv")

    again = crm.json("import", "contacts", DATA / "outlook.csv", "--on-duplicate", "update")

    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_history_and_undo(crm, tmp_path):
    crm.ok("import", "contacts", DATA / "pipedrive.csv")
    update = tmp_path / "update.csv"
    update.write_text("name,email,city\nHedy Lamarr,hedy@mgm.example,Vienna\n")
    crm.ok("import", "contacts", update, "--on-duplicate", "update")

    history = crm.json("import", "history")
    assert [(b["id"], b["entity"], b["inserted"], b["updated"]) for b in history] == [
        (2, "contact", 0, 1), (1, "contact", 2, 0),
    ]  # fmt: skip
    assert set(history[0]) >= {"id", "file", "started", "rows", "inserted", "updated"}

    crm.ok("import", "undo", "2")
    assert crm.json("contact", "show", "hedy@mgm.example")["city"] is None
    assert crm.json("import", "history")[0]["status"] == "undone"

    crm.ok("contact", "edit", "claude@bell.example", "--city", "Murray Hill")
    refused = crm("import", "undo", "1")
    assert refused.exit_code == 4
    assert "changed after" in refused.stderr
    assert len(crm.json("contact", "list")) == 2


def test_presets_are_listed(crm):
    rows = crm.json("import", "presets", "outlook")

    assert {"preset": "outlook", "column": "e mail address", "field": "email"} in rows
    assert {r["preset"] for r in rows} == {"outlook"}


def test_companies_deals_and_interactions_by_natural_keys(crm, tmp_path):
    crm.ok("import", "contacts", DATA / "google.csv")
    companies = tmp_path / "companies.csv"
    companies.write_text(
        "Company Name,Domain,Industry\nanalytical engines,ae.example,Computing\nAcme,acme.example,\n"
    )
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "Deal Name,Contact Email,Company,Stage,Amount,Currency\n"
        "Engine v2,ada@example.com,Analytical Engines,Proposal,1500.00,EUR\n"
        "Ghost deal,nobody@example.com,,,,\n"
    )
    interactions = tmp_path / "calls.csv"
    interactions.write_text(
        "contact_email,kind,occurred_at,subject,duration_seconds\n"
        "ada@example.com,call,2026-11-01T10:00:00Z,Intro call,300\n"
    )

    co = crm.json("import", "companies", companies, "--on-duplicate", "merge")
    de = crm("import", "deals", deals, "--format", "json")
    it = crm.json("import", "interactions", interactions)

    assert (co["inserted"], co["updated"]) == (1, 1)
    assert de.exit_code == 2 and json.loads(de.stdout)["rejected"] == 1
    assert it["inserted"] == 1
    [deal] = crm.json("deal", "list")
    assert (deal["stage"], deal["amount"], deal["company"]) == (
        "Proposal",
        "1500.00",
        "Analytical Engines",
    )
    listed = {c["name"]: c for c in crm.json("company", "list")}
    assert listed["Analytical Engines"]["domain"] == "ae.example"
    for kind, path in (("companies", companies), ("deals", deals), ("interactions", interactions)):
        again = json.loads(crm("import", kind, path, "--format", "json").stdout)
        assert again["inserted"] == 0, kind


def test_bad_options_are_bad_usage(crm):
    result = crm("import", "contacts", DATA / "google.csv", "--on-duplicate", "overwrite")

    assert result.exit_code == 2
    assert "skip, update, merge" in result.stderr


def test_undo_of_company_deal_and_interaction_imports(crm, tmp_path):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    crm.ok("company", "add", "Engines")
    companies = tmp_path / "companies.csv"
    companies.write_text("name,domain,city\nEngines,engines.example,London\nAcme,acme.example,\n")
    deals = tmp_path / "deals.csv"
    deals.write_text("title,contact email,company,amount\nBig one,ada@example.com,New Co,100\n")
    calls = tmp_path / "calls.csv"
    calls.write_text("contact email,kind,subject\nada@example.com,call,Hello\n")
    crm.ok("import", "companies", companies, "--on-duplicate", "update")
    crm.ok("import", "deals", deals)
    crm.ok("import", "interactions", calls)

    for batch in ("3", "2", "1"):
        crm.ok("import", "undo", batch)

    assert [c["name"] for c in crm.json("company", "list")] == ["Engines"]
    assert crm.json("company", "show", "Engines")["domain"] is None
    assert crm.json("deal", "list") == []
    assert crm.json("contact", "show", "ada@example.com")["interactions"] == []


@pytest.fixture
def ctrl_c_after_commit():
    """Ctrl-C pressed while an import's commit runs: it lands once the commit has returned."""
    pressed = []

    def press(session):
        if not pressed and not session.in_nested_transaction():
            pressed.append(True)
            signal.raise_signal(signal.SIGINT)

    event.listen(Session, "after_commit", press)
    yield pressed
    event.remove(Session, "after_commit", press)


@pytest.mark.parametrize("kind", ["contacts", "companies"])
def test_ctrl_c_as_an_import_is_saved_keeps_it_and_says_so(
    crm, tmp_path, ctrl_c_after_commit, kind
):
    path = tmp_path / "rows.csv"
    path.write_text("name,email\nAda,ada@example.com\nBob,bob@example.com\n")
    crm.ok("db", "info")  # created and migrated before Ctrl-C is armed

    result = crm("import", kind, path)

    assert ctrl_c_after_commit
    assert result.exit_code == 0, result.stderr
    assert "interrupted while saving: batch 1 is complete (crm import undo 1 removes it)" in (
        result.stderr
    )
    assert len(crm.json("contact" if kind == "contacts" else "company", "list")) == 2


def test_a_name_filed_last_name_first_splits_at_the_comma(crm):
    text = 'name,email\n"Müller, Hans",hans@example.de\n"Sammy Davis, Jr.",sammy@example.com\n'

    crm.ok("import", "contacts", "-", input=text)
    crm.ok("contact", "add", "Lovelace, Ada", "--email", "ada@example.com")

    shown = [crm.json("contact", "show", e) for e in ("hans@example.de", "sammy@example.com",
                                                       "ada@example.com")]  # fmt: skip
    assert [(c["name"], c["first_name"], c["last_name"]) for c in shown] == [
        ("Müller, Hans", "Hans", "Müller"),
        ("Sammy Davis, Jr.", "Sammy", "Davis, Jr."),
        ("Lovelace, Ada", "Ada", "Lovelace"),
    ]


def test_the_rejects_file_is_safe_in_a_spreadsheet_and_imports_back_the_same(crm, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text(
        "name,email,phone\n"
        '"=HYPERLINK(""http://evil.example"",""x"")",not-an-email,+61 2 5550 1234\n'
        "'=Quoted,also-bad,\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"

    crm("import", "contacts", source, "--rejects", rejects)
    fixed = rejects.read_text(encoding="utf-8")
    fixed = fixed.replace("not-an-email", "one@example.com").replace("also-bad", "two@x.com")
    (tmp_path / "fixed.csv").write_text(fixed, encoding="utf-8")
    crm.ok("import", "contacts", tmp_path / "fixed.csv")

    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("2,invalid email") and ",\"'=HYPERLINK(" in lines[1]
    assert "+61 2 5550 1234" in lines[1] and ",'=Quoted," in lines[2]
    names = sorted(c["name"] for c in crm.json("contact", "list"))
    assert names == ['=HYPERLINK("http://evil.example","x")', "=Quoted"]
