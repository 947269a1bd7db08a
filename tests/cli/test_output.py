"""CSV for spreadsheets from every command: cells a spreadsheet would run are neutralised."""

import csv
import io

HYPERLINK = '=HYPERLINK("http://evil.example","click")'
PHONE = "+61 2 5550 1234"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def add_risky_contact(crm) -> None:
    crm.ok("contact", "add", HYPERLINK, "--email", "evil@example.com", "--phone", PHONE,
           "--tag", "-vip", "--company", "+Acme", "--notes", "@ceo only")  # fmt: skip
    crm.ok("log", "note", "evil@example.com", "--summary", "@SUM(A1:A9)")


def test_contact_list_and_show_as_csv_are_safe_and_keep_phones(crm):
    add_risky_contact(crm)

    (listed,) = rows(crm.ok("contact", "list", "-f", "csv").stdout)
    shown = crm.ok("contact", "show", "evil@example.com", "-f", "csv").stdout

    assert listed["name"] == "'" + HYPERLINK
    assert listed["phone"] == PHONE
    assert (listed["company"], listed["tags"]) == ("'+Acme", "'-vip")
    assert (rows(shown)[0]["name"], rows(shown)[0]["notes"]) == ("'" + HYPERLINK, "'@ceo only")


def test_history_users_and_a_logged_interaction_as_csv_are_safe(crm):
    add_risky_contact(crm)
    crm.ok("--user", "@ops", "contact", "edit", "evil@example.com", "--city", "Lyon")

    (latest, *_) = rows(crm.ok("history", "-f", "csv", "--limit", "0").stdout)
    users = [row["username"] for row in rows(crm.ok("user", "list", "-f", "csv").stdout)]
    logged = crm.ok("log", "note", "evil@example.com", "--summary", "@SUM(A1)", "-f", "csv").stdout

    assert latest["user"] == "'@ops"
    assert "'@ops" in users
    assert rows(logged)[0]["subject"] == "'@SUM(A1)"


def test_import_history_as_csv_is_safe(crm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "=cmd.csv").write_text("name,email\nAda,ada@example.com\n", encoding="utf-8")
    crm.ok("import", "contacts", "=cmd.csv")

    (batch,) = rows(crm.ok("import", "history", "-f", "csv").stdout)

    assert batch["file"] == "'=cmd.csv"


def test_report_csv_is_safe_and_keeps_negative_numbers(crm):
    crm.ok("contact", "add", "=Bob", "--email", "bob@example.com", "--company", "@Evil Corp")
    crm.ok("deal", "add", "Deal", "--contact", "bob@example.com", "--amount", "10")

    (stale,) = rows(crm.ok("report", "stale", "-f", "csv").stdout)
    (company,) = rows(crm.ok("company", "list", "-f", "csv").stdout)

    assert stale["name"] == "'=Bob"
    assert company["name"] == "'@Evil Corp"


def test_the_global_option_turns_escaping_off_everywhere(crm):
    add_risky_contact(crm)

    (raw,) = rows(crm.ok("--no-escape-formulas", "contact", "list", "-f", "csv").stdout)
    exported = rows(crm.ok("--no-escape-formulas", "export", "contacts").stdout)

    assert raw["name"] == HYPERLINK
    assert exported[0]["name"] == HYPERLINK


def test_json_is_never_escaped(crm):
    add_risky_contact(crm)

    (listed,) = crm.json("contact", "list")

    assert listed["name"] == HYPERLINK


def test_monthly_report_csv_is_safe_and_keeps_negative_changes(crm):
    crm.ok("contact", "add", "Old", "--created", "2026-09-10")
    crm.ok("contact", "add", "Older", "--created", "2026-09-11")
    crm.ok("contact", "add", "=Bob", "--email", "bob@example.com", "--created", "2026-10-03")
    crm.ok("deal", "add", "Deal", "--contact", "bob@example.com", "--amount", "10",
           "--created", "2026-10-03")  # fmt: skip
    crm.ok("deal", "won", "1", "--at", "2026-10-04")

    report = rows(crm.ok("report", "monthly", "--month", "2026-10", "-f", "csv").stdout)

    (top,) = [row for row in report if row["figure"] == "top_customers"]
    (new,) = [row for row in report if row["figure"] == "contacts.new"]
    assert top["name"] == "'=Bob"
    assert new["change"] == "-1"
