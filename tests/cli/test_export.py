"""`crm export ...`: files and stdout in every format, with the filters of `list`."""

import csv
import io
import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "data" / "import"


def test_csv_to_a_file_and_back_into_an_empty_database(crm, tmp_path, monkeypatch):
    crm.ok("import", "contacts", DATA / "google.csv")
    crm.ok("import", "contacts", DATA / "hubspot.csv")
    out = tmp_path / "contacts.csv"

    result = crm.ok("export", "contacts", "-o", out)

    assert "exported 6 contacts" in result.stderr
    before = crm.json("contact", "list", "--sort", "name")
    monkeypatch.setenv("CRM_DB", str(tmp_path / "fresh.db"))
    crm.ok("import", "contacts", out)
    after = crm.json("contact", "list", "--sort", "name")
    volatile = {"id", "updated_at", "version"}
    strip = lambda rows: [{k: v for k, v in r.items() if k not in volatile} for r in rows]  # noqa: E731
    assert strip(after) == strip(before)


def test_when_a_contact_was_created_and_consented_and_where_survive_a_round_trip(
    crm, tmp_path, monkeypatch
):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com", "--created", "2020-01-02T03:04:05Z",
           "--consent", "subscribed", "--consent-source", "web form")  # fmt: skip
    before = crm.json("contact", "show", "ada")
    out = tmp_path / "contacts.csv"
    crm.ok("export", "contacts", "-o", out)
    monkeypatch.setenv("CRM_DB", str(tmp_path / "fresh.db"))

    crm.ok("import", "contacts", out)

    after = crm.json("contact", "show", "ada")
    for field in ("created_at", "email_consent", "consent_at", "consent_source"):
        assert after[field] == before[field], field
    assert after["created_at"].startswith("2020-01-02T03:04:05")
    assert crm.json("report", "monthly", "--month", "2020-01")["contacts"]["new"] == 1


def test_stdout_formats_and_filters(crm):
    crm.ok("import", "contacts", DATA / "google.csv")

    ndjson = crm.ok("export", "contacts", "--format", "ndjson", "--tag", "vip").stdout
    as_json = json.loads(crm.ok("export", "contacts", "-f", "json", "--company", "us navy").stdout)
    vcf = crm.ok("export", "contacts", "-f", "vcf").stdout

    assert [json.loads(line)["name"] for line in ndjson.splitlines()] == ["Ada Lovelace"]
    assert [r["name"] for r in as_json] == ["Grace Brewster Hopper"]
    assert vcf.count("BEGIN:VCARD") == 3 and "BDAY:--0412" in vcf


def test_formula_escaping_can_be_turned_off(crm):
    crm.ok("contact", "add", "=1+1", "--email", "sum@example.com", "--phone", "+61 2 5550 1234")

    safe = next(csv.DictReader(io.StringIO(crm.ok("export", "contacts").stdout)))
    raw = next(
        csv.DictReader(io.StringIO(crm.ok("export", "contacts", "--no-escape-formulas").stdout))
    )

    assert (safe["name"], safe["phones"]) == ("'=1+1", "+61 2 5550 1234")
    assert raw["name"] == "=1+1"


def test_a_list_of_phones_is_exported_as_phones_too(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com",
           "--phone", "+61 2 5550 1234", "--phone", "-5550 1235", "--phone", "+1 (555) 010-9999")  # fmt: skip

    (row,) = csv.DictReader(io.StringIO(crm.ok("export", "contacts").stdout))

    assert row["phones"] == "+61 2 5550 1234 ::: -5550 1235 ::: +1 (555) 010-9999"


def test_companies_deals_and_interactions(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com", "--company", "Engines")
    crm.ok("deal", "add", "Engine v2", "--contact", "ada@example.com", "--amount", "1500")
    crm.ok("log", "call", "ada@example.com", "--summary", "Intro call")

    companies = list(csv.DictReader(io.StringIO(crm.ok("export", "companies").stdout)))
    deals = json.loads(crm.ok("export", "deals", "-f", "json", "--status", "open").stdout)
    interactions = [
        json.loads(x) for x in crm.ok("export", "interactions", "-f", "ndjson").stdout.splitlines()
    ]

    assert [(c["name"], c["contacts"]) for c in companies] == [("Engines", "1")]
    assert [(d["title"], d["contact_email"], d["amount"]) for d in deals] == [
        ("Engine v2", "ada@example.com", "1500.00"),
    ]  # fmt: skip
    assert [(i["kind"], i["contact_email"], i["subject"]) for i in interactions] == [
        ("call", "ada@example.com", "Intro call"),
    ]  # fmt: skip


def test_interactions_export_takes_the_filters_of_log_list(crm):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    crm.ok("deal", "add", "Engine v2", "--contact", "ada@example.com", "--amount", "1500")
    crm.ok("log", "call", "ada@example.com", "-s", "Old call", "--at", "2026-01-05 10:00")
    crm.ok("log", "call", "ada@example.com", "-s", "About v2", "--deal", "1", "--at", "-1d")
    crm.ok("--user", "kim", "log", "note", "ada@example.com", "-s", "Kim's note", "--at", "-2d")

    def exported(*filters: str) -> list[str]:
        out = crm.ok("export", "interactions", "-f", "ndjson", *filters).stdout
        return [json.loads(line)["subject"] for line in out.splitlines()]

    def listed(*filters: str) -> list[str]:
        return sorted(row["subject"] for row in crm.json("log", "list", *filters))

    for filters in (["--since", "7d"], ["--deal", "1"], ["--user", "kim"], ["--kind", "note"]):
        assert sorted(exported(*filters)) == listed(*filters) != []
    assert exported("--since", "7d", "--user", "sam") == ["About v2"]
    assert crm("export", "interactions", "--user", "nobody").exit_code == 3


def test_vcf_only_for_contacts(crm):
    result = crm("export", "deals", "-f", "vcf")

    assert result.exit_code == 2
    assert "cannot export deals as 'vcf'" in result.stderr


def test_the_count_written_to_a_file_reads_as_english(crm, tmp_path):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com", "--company", "Engines")

    one = crm.ok("export", "contacts", "-o", tmp_path / "c.csv").stderr
    none = crm.ok("export", "deals", "-o", tmp_path / "d.csv").stderr

    assert one == f"exported 1 contact to {tmp_path / 'c.csv'}\n"
    assert none == f"exported 0 deals to {tmp_path / 'd.csv'}\n"


def test_without_format_the_output_files_suffix_names_it(crm, tmp_path):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")

    crm.ok("export", "contacts", "-o", tmp_path / "c.vcf")
    crm.ok("export", "contacts", "-o", tmp_path / "c.ndjson")
    crm.ok("export", "contacts", "-o", tmp_path / "c.txt")
    crm.ok("export", "contacts", "-f", "csv", "-o", tmp_path / "forced.json")
    deals_as_cards = crm("export", "deals", "-o", tmp_path / "d.vcf")

    assert (tmp_path / "c.vcf").read_text().startswith("BEGIN:VCARD")
    assert json.loads((tmp_path / "c.ndjson").read_text())["email"] == "ada@example.com"
    assert (tmp_path / "c.txt").read_text().startswith("id,name,")
    assert (tmp_path / "forced.json").read_text().startswith("id,name,")
    assert deals_as_cards.exit_code == 2 and not (tmp_path / "d.vcf").exists()


@pytest.mark.parametrize(
    "bad_filter",
    [["interactions", "--contact", "nobody@example.com"], ["deals", "--status", "bogus"],
     ["contacts", "--owner", "nobody"]],
)  # fmt: skip
def test_a_failed_export_leaves_the_file_it_would_replace(crm, tmp_path, bad_filter):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    target = tmp_path / "yesterday.csv"
    target.write_text("yesterday's export\n", encoding="utf-8")

    result = crm("export", *bad_filter, "-o", target)

    assert result.exit_code in (2, 3)
    assert target.read_text(encoding="utf-8") == "yesterday's export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name != "crm.db" and "crm.db" not in p.name
            and p.name != "home"] == ["yesterday.csv"]  # fmt: skip


def test_an_export_replaces_the_file_with_the_usual_permissions(crm, tmp_path):
    import os
    import stat

    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    target = tmp_path / "out.csv"
    umask = os.umask(0o022)
    try:
        crm.ok("export", "contacts", "-o", target)
    finally:
        os.umask(umask)

    assert "ada@example.com" in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_status_filter_takes_any_case(crm):
    crm.ok("deal", "add", "Engine", "--stage", "Won")

    exported = crm.json("export", "deals", "--status", "WON")
    listed = crm.json("deal", "list", "--status", "Won")

    assert [d["title"] for d in exported] == [d["title"] for d in listed] == ["Engine"]
