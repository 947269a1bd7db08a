"""`crm log ...`, `crm task ...` and `crm due`."""

from datetime import UTC, datetime, timedelta

import pytest


def test_log_call_appears_in_the_timeline_and_sets_last_contacted(crm):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")

    crm.ok("log", "call", "ada@example.com", "--summary", "Intro call", "--at", "2026-10-05 10:00",
           "--duration", "15m", "--outcome", "interested")  # fmt: skip
    crm.ok("log", "note", "ada@example.com", "--summary", "Older note", "--at", "2026-09-01")

    shown = crm.json("contact", "show", "ada@example.com")
    call, note = shown["interactions"]
    assert (call["kind"], call["subject"], call["duration_seconds"]) == ("call", "Intro call", 900)
    assert call["occurred_at"] == "2026-10-05T10:00:00+00:00"
    assert call["user"] == "sam"
    assert note["kind"] == "note"
    assert shown["last_contacted_at"] == "2026-10-05T10:00:00+00:00"


def test_every_kind_can_be_logged_against_a_deal(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")
    crm.ok("deal", "add", "Order", "--contact", "ada@example.com", "--amount", "1")

    for kind in ("call", "email", "meeting", "note", "chat"):
        crm.ok("log", kind, "ada@example.com", "--summary", kind, "--deal", "1")

    kinds = {i["kind"] for i in crm.json("contact", "show", "ada@example.com")["interactions"]}
    assert kinds == {"call", "email", "meeting", "note", "chat"}


def test_log_without_summary_is_refused(crm):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com")

    result = crm("log", "call", "ada@example.com")

    assert result.exit_code == 2


def test_each_kind_reads_as_english_in_the_help(crm):
    kinds = crm.ok("log", "--help").stdout

    assert "Log an email with a contact." in kinds and "Log a call with a contact." in kinds


def test_task_add_due_and_done(crm):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    crm.ok("task", "add", "Send proposal", "--contact", "ada@example.com", "--due", "tomorrow")
    crm.ok("task", "add", "Chase invoice", "--due", "-2d")
    crm.ok("task", "add", "Later", "--due", "+5d")
    crm.ok("task", "add", "Much later", "--due", "+30d")

    due = crm.json("due")
    week = crm.json("due", "--within", "7d")

    assert [t["title"] for t in due["overdue"]] == ["Chase invoice"]
    assert due["today"] == [] and due["upcoming"] == []
    assert [t["title"] for t in week["upcoming"]] == ["Send proposal", "Later"]
    assert week["upcoming"][0]["contact"] == "Ada Lovelace"

    crm.ok("task", "done", "2")
    assert crm.json("due")["overdue"] == []
    assert crm("task", "done", "2").exit_code == 4


def test_due_limit_keeps_the_most_overdue_first(crm):
    for title, due in [
        ("Two days", "-2d"),
        ("Four days", "-4d"),
        ("Soon", "+1d"),
        ("Three", "-3d"),
    ]:
        crm.ok("task", "add", title, "--due", due)

    two = crm.json("due", "--within", "7d", "--limit", "2")
    everything = crm.json("due", "--within", "7d", "--limit", "0")

    assert two == {"overdue": [everything["overdue"][0], everything["overdue"][1]], "today": [],
                   "upcoming": []}  # fmt: skip
    assert [t["title"] for t in two["overdue"]] == ["Four days", "Three"]
    assert [t["title"] for t in everything["upcoming"]] == ["Soon"]


def test_task_edit_renames_reschedules_and_reprioritises_an_open_task(crm):
    crm.ok("task", "add", "Send proposal", "--due", "2026-12-01T09:00:00Z")

    said = crm.ok("task", "edit", "1", "--due", "2026-12-03T10:00:00Z", "--priority", "high")
    renamed = crm.json("task", "edit", "1", "--title", "Send the proposal")
    crm.ok("task", "edit", "1", "--no-due")
    both = crm("task", "edit", "1", "--due", "tomorrow", "--no-due")
    crm.ok("task", "done", "1")
    done = crm("task", "edit", "1", "--title", "Too late")

    assert "task 1: due_at, priority changed" in said.stderr
    assert (renamed["title"], renamed["due_at"], renamed["priority"]) == (
        "Send the proposal", "2026-12-03T10:00:00+00:00", "high"
    )  # fmt: skip
    assert crm.json("task", "list", "--all")[0]["due_at"] is None
    assert [h["action"] for h in crm.json("history", "--task", "1")][:4] == ["update"] * 4
    assert both.exit_code == 2 and "--no-due" in both.stderr
    assert done.exit_code == 4 and "already done" in done.stderr


def test_task_due_today_is_grouped_as_today(crm):
    later_today = datetime.now(UTC).replace(hour=23, minute=59, second=0, microsecond=0)
    if later_today <= datetime.now(UTC) + timedelta(minutes=1):
        pytest.skip("too close to midnight to have a task due later today")
    crm.ok("task", "add", "Today's call", "--due", later_today.isoformat())

    assert [t["title"] for t in crm.json("due")["today"]] == ["Today's call"]


def test_due_lists_each_group_in_due_order_alike_in_every_format(crm):
    """`crm due` streams its rows: json keeps every group (empty ones too), csv and ndjson carry
    the group on each row, and all agree on the order."""
    import csv
    import io
    import json

    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    crm.ok("user", "add", "kim")
    crm.ok("task", "add", "Older", "--due", "-3d", "--contact", "ada@example.com")
    crm.ok("task", "add", "Kim's", "--due", "-2d", "--assignee", "kim")
    crm.ok("task", "add", "Oldest", "--due", "-4d")
    crm.ok("task", "add", "Next week", "--due", "+5d")
    crm.ok("task", "add", "Undated")
    crm.ok("task", "done", crm.ok("task", "add", "Done", "--due", "-1d").stdout.strip())

    text = crm.ok("due", "--within", "7d", "--format", "json").stdout
    due = json.loads(text)
    lines = crm.ok("due", "--within", "7d", "--format", "ndjson").stdout.splitlines()
    table = list(csv.DictReader(io.StringIO(crm.ok("due", "--within", "7d").stdout)))

    assert text == json.dumps(due, ensure_ascii=False, indent=2) + "\n"  # as print_json writes
    assert list(due) == ["overdue", "today", "upcoming"] and due["today"] == []
    assert [t["title"] for t in due["overdue"]] == ["Oldest", "Older", "Kim's"]
    assert [t["title"] for t in due["upcoming"]] == ["Next week"]
    assert (due["overdue"][1]["contact"], due["overdue"][2]["assignee"]) == ("Ada Lovelace", "kim")
    assert [json.loads(line) for line in lines] == [
        {"group": name, **row} for name, rows in due.items() for row in rows
    ]
    assert [(r["group"], r["title"]) for r in table] == [
        ("overdue", "Oldest"), ("overdue", "Older"), ("overdue", "Kim's"), ("upcoming", "Next week"),
    ]  # fmt: skip
    assert [t["title"] for t in crm.json("--user", "kim", "due", "--mine")["overdue"]] == ["Kim's"]
